#!/usr/bin/env python3
"""The NAT lab's fault cases: what a client and an operator see when a piece of the tunnel dies or
the link between agent and relay is cut, and whether a resumed transfer ends with the same bytes.

Run it with the lab up (natlab.sh up), as root, under the lab lock:
  flock /tmp/ferry-lab.lock faults.py --relay-jar J --agent-jar J [--work DIR] [--size-mib N]

vsftpd behind the NAT, one agent beside it, the relay on its public address (with 512 MiB of direct
memory, so that a relay without a memory budget shows it), curl and Python's ftplib on the client.
The cases:
  - kill -9 of the agent, the relay and vsftpd during a RETR and during a STOR of the big file: the
    client must see an error, never a 226 with a short file; after restarting what was killed, a
    REST resume must end with the same SHA-256;
  - the link cut (iptables DROP on the NAT gateway, both ways) for 5 s and for 60 s during a RETR:
    5 s is ridden out (the download completes whole); 60 s makes both ends drop the link within
    the keepalive bound, the client sees an error, new clients get 421 at once, and the agent is
    linked again within its backoff (30 s) once the cut ends;
  - 40 clients that stop reading mid-download while another client's download completes whole.
It prints a table (fault, what the client saw, what the operator saw, PASS/FAIL) and exits 1 if a
case failed. It stops everything it started, and removes its iptables rules, even on failure.
"""
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # importing matrix must not leave __pycache__ in the checkout
import matrix as m  # noqa: E402  (the lab's helpers: namespaces, processes, fixtures)

PORT = 2121
TUNNEL = "vsftpd.lab.test"
CLIENT = os.path.join(HERE, "clients", "fault_client.py")
RATE = "50M"  # curl's pace while a process is killed, so the kill lands mid-transfer
CUT_RULES = [["-i", "l0", "-o", "n0"], ["-i", "n0", "-o", "l0"]]


class Lab:
    """vsftpd, the relay and one agent, each restartable; every start logs to a new file."""

    def __init__(self, work, relay_jar, agent_jar):
        self.work, self.relay_jar, self.agent_jar = work, relay_jar, agent_jar
        self.data = os.path.join(work, "relay-data")
        self.procs, self.logs, self.starts = {}, {"relay": [], "agent": [], "server": []}, 0
        self.token = self.pin = None

    def _logfile(self, role):
        self.starts += 1
        path = os.path.join(self.work, f"{role}-{self.starts}.log")
        self.logs[role].append(path)
        return path

    def start(self, role):
        if role == "server":
            conf = os.path.join(self.work, "vsftpd.conf")
            with open(conf, "w") as f:
                f.write(open(os.path.join(HERE, "servers", "vsftpd.conf")).read())
            self.procs[role] = m.start("vsftpd", m.ns("lan", "/usr/sbin/vsftpd", conf), self._logfile(role))
            m.wait_for(lambda: subprocess.run(m.ns("lan", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{PORT}"),
                                              stderr=subprocess.DEVNULL).returncode == 0, 15, "vsftpd")
        elif role == "relay":
            logfile = self._logfile(role)
            self.procs[role] = m.start("relay", m.ns(
                "relay", "java", "-XX:MaxDirectMemorySize=512m", "-jar", self.relay_jar, "serve",
                "--data-dir", self.data, "--public-address", m.RELAY_IP, "--bind", m.RELAY_IP,
                "--agent-listen", f"{m.RELAY_IP}:{m.AGENT_PORT}", "--passive-ports", "30000-30999",
                "--max-sessions-per-ip", "200", "--max-passive-per-ip", "200"), logfile)
            m.wait_for(lambda: "listening for agents" in open(logfile, errors="replace").read(), 30, "the relay")
        else:
            self.procs[role] = m.start("agent", m.ns(
                "lan", "java", "-jar", self.agent_jar, "--relay", f"{m.RELAY_IP}:{m.AGENT_PORT}", "--token",
                self.token, "--pin", self.pin, "--upstream", f"127.0.0.1:{PORT}"), self._logfile(role))

    def up(self):
        import shutil
        shutil.rmtree(self.data, ignore_errors=True)
        self.start("server")
        self.start("relay")
        out = subprocess.run(["java", "-jar", self.relay_jar, "tunnel", "add", TUNNEL, "--ftp-port", str(PORT),
                              "--data-dir", self.data], check=True, capture_output=True, text=True).stdout
        last = out.strip().splitlines()[-1]
        self.token = re.search(r"--token (\S+)", last).group(1)
        self.pin = re.search(r"--pin (\S+)", last).group(1)
        self.start("agent")
        self.wait_linked(60)

    def kill(self, role):
        p = self.procs[role]
        # The process and everything it forked: vsftpd's session processes live in namespaces and
        # process groups of their own, but they are still its descendants.
        for pid in [p.pid, *descendants(p.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        p.wait()

    def greeting(self):
        return m.run_client(["python3", CLIENT, "greeting", m.RELAY_IP, str(PORT)], timeout=30)[1].strip()

    def wait_linked(self, timeout):
        """Seconds until a client is greeted with 220 through the relay."""
        started = time.time()
        m.wait_for(lambda: self.greeting().startswith("220"), timeout, "a 220 greeting through the relay")
        return time.time() - started

    def mark(self):
        return {path: os.path.getsize(path) for paths in self.logs.values() for path in paths
                if os.path.exists(path)}

    def text(self, role, mark):
        out = ""
        for path in self.logs[role]:
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    f.seek(mark.get(path, 0))
                    out += f.read()
        return out

    def operator(self, mark):
        """The first warning or error each Ferry process logged since mark."""
        seen = []
        for role in ("relay", "agent"):
            lines = [l for l in self.text(role, mark).splitlines() if re.search(r" (WARN|ERROR) ", l)]
            if lines:
                seen.append(f"{role}: " + re.sub(r"^\S+ (WARN|ERROR) +\S+ - (tunnel \S+: )?", "", lines[0])[:110])
            oom = [l for l in self.text(role, mark).splitlines() if "OutOfMemoryError" in l]
            if oom:
                seen.append(f"{role}: {oom[0].strip()[:110]}")
        return "; ".join(seen) or "(no warning from relay or agent)"


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def curl(args, rate=None):
    limit = ["--limit-rate", rate] if rate else []
    return m.ns("client", "curl", "-sS", "-v", "--max-time", "300", *limit, *args)


def url(path):
    return f"ftp://{m.RELAY_IP}:{PORT}/{path}"


def size(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def client_saw(rc, err):
    return "226" if re.search(r"(?m)^< 226", err) and rc == 0 else f"curl exit {rc}: {m.last_error(err)[:70]}"


def wait_progress(path, at_least, proc, timeout=60):
    m.wait_for(lambda: size(path) >= at_least or proc.poll() is not None, timeout, f"{path} to grow")


def kill_case(lab, victim, op, big, expected, total):
    local = os.path.join(lab.work, f"retr-{victim}.bin")
    remote = f"up-{victim}.bin"
    on_server = os.path.join(m.HOME, remote)
    for f in (local, on_server):
        if os.path.exists(f):
            os.remove(f)
    if op == "RETR":
        proc = subprocess.Popen(curl(["-o", local, url("pub/big.bin")], RATE), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, errors="replace")
        watch = local
    else:
        proc = subprocess.Popen(curl(["-u", f"{m.USER}:{m.PASSWORD}", "-T", big, url(remote)], RATE),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
        watch = on_server
    wait_progress(watch, 100 << 20, proc)
    mark = lab.mark()
    killed = time.time()
    lab.kill(victim)
    err = proc.communicate(timeout=120)[1]
    seen = f"{client_saw(proc.returncode, err)} after {time.time() - killed:.1f} s"
    short = size(watch)
    clean = proc.returncode == 0 or bool(re.search(r"(?m)^< 226", err))
    lab.start(victim)
    relinked = lab.wait_linked(90)
    operator = lab.operator(mark)
    if op == "RETR":
        rc, _, rerr = m.run_client(["curl", "-sS", "-v", "--max-time", "300", "-C", "-", "-o", local,
                                    url("pub/big.bin")])
        resumed = rc == 0 and m.sha256(local) == expected
        how = f"REST {short} -> " + ("equal SHA-256" if resumed else f"exit {rc}: {m.last_error(rerr)[:60]}")
    else:
        rc, out, rerr = m.run_client(["python3", CLIENT, "stor-resume", m.RELAY_IP, str(PORT), m.USER, m.PASSWORD,
                                      big, remote])
        resumed = rc == 0 and m.sha256(on_server) == expected
        how = (out.strip()[:40] + " -> " + ("equal SHA-256" if resumed else f"exit {rc}: {m.last_error(rerr)[:60]}"))
    ok = not clean and short < total and resumed
    return (f"kill -9 {victim} during {op}", f"{seen}; {short >> 20} MiB; {how}",
            f"{operator}; linked again {relinked:.1f} s after restart", ok)


def iptables_cut(on):
    for rule in CUT_RULES:
        subprocess.run(m.ns("nat", "iptables", "-I" if on else "-D", "FORWARD", *rule, "-j", "DROP"),
                       check=on, stderr=subprocess.DEVNULL)


def cut_case(lab, seconds, expected, total):
    local = os.path.join(lab.work, f"retr-cut-{seconds}.bin")
    if os.path.exists(local):
        os.remove(local)
    proc = subprocess.Popen(curl(["-o", local, url("pub/big.bin")], "30M"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, errors="replace")
    wait_progress(local, 50 << 20, proc)
    mark = lab.mark()
    cut_at = time.time()
    iptables_cut(True)
    try:
        if seconds <= 5:
            time.sleep(seconds)
            iptables_cut(False)
            err = proc.communicate(timeout=180)[1]
            whole = proc.returncode == 0 and m.sha256(local) == expected
            lost = "lost" in lab.text("relay", mark) + lab.text("agent", mark)
            seen = client_saw(proc.returncode, err) + (", equal SHA-256" if whole else f", {size(local) >> 20} MiB")
            return (f"link cut {seconds} s during RETR", seen, lab.operator(mark), whole and not lost)
        err = proc.communicate(timeout=seconds + 30)[1]
        failed_after = time.time() - cut_at
        seen = f"{client_saw(proc.returncode, err)} after {failed_after:.1f} s"
        clean = proc.returncode == 0 or bool(re.search(r"(?m)^< 226", err))
        m.wait_for(lambda: "lost" in lab.text("relay", mark), max(1, seconds - (time.time() - cut_at)),
                   "the relay to drop the agent")
        relay_noticed = time.time() - cut_at
        new_client = lab.greeting()
        time.sleep(max(0, seconds - (time.time() - cut_at)))
    finally:
        iptables_cut(False)
    relinked = lab.wait_linked(60)
    operator = lab.operator(mark)
    short = size(local)
    rc, _, rerr = m.run_client(["curl", "-sS", "--max-time", "300", "-C", "-", "-o", local, url("pub/big.bin")])
    resumed = rc == 0 and m.sha256(local) == expected
    ok = (not clean and short < total and resumed and new_client.startswith("421")
          and failed_after < 25 and relinked < 35)
    return (f"link cut {seconds} s during RETR",
            f"{seen}; new client: {new_client[:40]}; REST {short >> 20} MiB -> "
            + ("equal SHA-256" if resumed else f"exit {rc}"),
            f"relay noticed after {relay_noticed:.1f} s; linked again {relinked:.1f} s after the cut; {operator}", ok)


def stalled_case(lab, expected, readers=40):
    mark = lab.mark()
    stall = subprocess.Popen(m.ns("client", "python3", CLIENT, "stall", m.RELAY_IP, str(PORT), str(readers), "60",
                                  "pub/big.bin"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = stall.stdout.readline().strip()
        time.sleep(3)  # let the relay's buffers for the stalled readers fill
        local = os.path.join(lab.work, "retr-beside-stalled.bin")
        rc, _, err = m.run_client(["curl", "-sS", "-v", "--max-time", "120", "-o", local, url("pub/big.bin")])
        whole = rc == 0 and m.sha256(local) == expected
        rss = relay_rss(lab)
    finally:
        stall.kill()
        stall.wait()
    operator = lab.operator(mark)
    lost = "lost" in lab.text("relay", mark)
    return (f"{readers} stalled readers + 1 RETR", f"{first}; other client: {client_saw(rc, err)}"
            + (", equal SHA-256" if whole else ""), f"relay RSS {rss}; {operator}", whole and not lost
            and first.startswith(f"STALLED {readers} "))


def relay_rss(lab):
    p = lab.procs["relay"]
    try:
        with open(f"/proc/{p.pid}/status") as f:
            return next(l.split(":")[1].strip() for l in f if l.startswith("VmRSS"))
    except (OSError, StopIteration):
        return "(relay gone)"


def main():
    args = m.lab_arguments("faults", "/tmp/ferry-lab-faults", 500)
    if args is None:
        return 2
    rows = []
    try:
        m.fixtures(args.work, args.size_mib)
        big = os.path.join(args.work, "big.bin")
        expected, total = m.sha256(big), args.size_mib << 20
        lab = Lab(args.work, args.relay_jar, args.agent_jar)
        lab.up()
        m.log("vsftpd, relay and agent are up")
        cases = [(f"kill -9 {v} during {o}", lambda v=v, o=o: kill_case(lab, v, o, big, expected, total))
                 for v in ("agent", "relay", "server") for o in ("RETR", "STOR")]
        cases += [("link cut 5 s during RETR", lambda: cut_case(lab, 5, expected, total)),
                  ("link cut 60 s during RETR", lambda: cut_case(lab, 60, expected, total)),
                  ("40 stalled readers + 1 RETR", lambda: stalled_case(lab, expected))]
        for name, case in cases:
            try:
                rows.append(case())
            except Exception as e:  # one broken case must not hide the others
                rows.append((name, f"{type(e).__name__}: {e}"[:100], "", False))
            m.log(f"{rows[-1][0]}: {'PASS' if rows[-1][3] else 'FAIL'}")
    finally:
        iptables_cut(False)
        m.stop_all()
    return report(rows)


def report(rows):
    print()
    print("NAT lab faults: vsftpd behind the NAT, curl / ftplib on the client")
    print(f"{'fault':<30} | {'what the client saw':<90} | {'what the operator saw':<100} | result")
    print("-" * 235)
    for fault, client, operator, ok in rows:
        print(f"{fault:<30} | {client:<90} | {operator:<100} | {'PASS' if ok else 'FAIL'}")
    failed = sum(1 for r in rows if not r[3])
    print(f"faults: {'FAILED' if failed else 'PASSED'} ({failed} of {len(rows)} failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
