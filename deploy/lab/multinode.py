#!/usr/bin/env python3
"""The NAT lab with several relay nodes: one agent behind the NAT linked to every node of one relay
name, which has one address per node in the agent's hosts file (/etc/netns/ferry-lan/hosts, which
`ip netns exec` puts over /etc/hosts: the agent resolves the name with the system resolver).

Run it with the lab up (natlab.sh up), as root, under the lab lock:
  flock /tmp/ferry-lab.lock multinode.py --relay-jar J --agent-jar J [--work DIR] [--size-mib N]

Three relays run in the relay namespace on 198.51.100.1, .2 and .3 (addresses this script adds to
its interface and removes again), each with its own data dir holding copies of node 1's tunnel and
certificate, the same agent port and the same FTP port; vsftpd runs behind the NAT. The cases:
  - a client (curl, PASV) on each node downloads the big file: equal SHA-256, and each node's 227
    names that node's own address;
  - kill -9 of node 2 while clients download through all three: node 2's client fails (no 226, a
    short file), nodes 1 and 3 finish whole, a retry through node 3 succeeds, the agent logs the lost
    node within seconds and keeps its other links;
  - node 2 restarted: the agent links to it again by itself (the time is measured) and it serves;
  - a fourth node started and added to the name: the agent links to it by itself (time measured
    from the hosts file change) and it serves.
It prints a table and exits 1 if a case failed. It stops everything it started and removes the
addresses and the hosts file, even on failure.
"""
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # importing matrix must not leave __pycache__ in the checkout
import matrix as m  # noqa: E402  (the lab's helpers: namespaces, processes, fixtures)

NAME = "relays.lab.test"
TUNNEL = "vsftpd.lab.test"
FTP_PORT = 2121
UPSTREAM_PORT = 2121
HOSTS_DIR = "/etc/netns/ferry-lan"
HOSTS = os.path.join(HOSTS_DIR, "hosts")
RATE = "20M"  # curl's pace while node 2 is killed, so the kill lands mid-transfer


def ip(node):
    return f"198.51.100.{node}"


def write_hosts(nodes):
    os.makedirs(HOSTS_DIR, exist_ok=True)
    lines = ["127.0.0.1 localhost"] + [f"{ip(n)} {NAME}" for n in nodes]
    tmp = HOSTS + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    # In place, not a rename: `ip netns exec` bind-mounted this file (its inode) over the agent's /etc/hosts.
    with open(HOSTS, "a"):
        pass
    with open(tmp) as src, open(HOSTS, "r+") as dst:
        dst.truncate(0)
        dst.write(src.read())
    os.remove(tmp)


class Cluster:
    def __init__(self, work, relay_jar, agent_jar):
        self.work, self.relay_jar, self.agent_jar = work, relay_jar, agent_jar
        self.procs, self.logs, self.added = {}, {}, []
        self.token = self.pin = None

    def data(self, node):
        return os.path.join(self.work, f"node{node}")

    def add_address(self, node):
        if node == 1:
            return
        have = subprocess.run(m.ns("relay", "ip", "-br", "addr", "show", "r0"), capture_output=True, text=True).stdout
        if f"{ip(node)}/" not in have:
            subprocess.run(m.ns("relay", "ip", "addr", "add", f"{ip(node)}/24", "dev", "r0"), check=True)
            self.added.append(node)

    def start_node(self, node):
        self.add_address(node)
        logfile = os.path.join(self.work, f"node{node}.log")
        self.logs[node] = logfile
        listening = self.log(node).count("listening for agents")
        out = open(logfile, "ab")
        p = subprocess.Popen(m.ns("relay", "java", "-jar", self.relay_jar, "serve", "--data-dir", self.data(node),
                                  "--public-address", ip(node), "--bind", ip(node),
                                  "--agent-listen", f"{ip(node)}:{m.AGENT_PORT}", "--passive-ports", "30000-30999"),
                             stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        m.processes.append((f"node{node}", p))
        self.procs[node] = p
        m.wait_for(lambda: self.log(node).count("listening for agents") > listening, 30, f"relay node {node}")

    def copy_registry(self, node):
        to = self.data(node)
        os.makedirs(os.path.join(to, "tunnels"), exist_ok=True)
        for f in ("relay-cert.pem", "relay-key.pem"):
            shutil.copy2(os.path.join(self.data(1), f), os.path.join(to, f))
        for f in os.listdir(os.path.join(self.data(1), "tunnels")):
            src = os.path.join(self.data(1), "tunnels", f)
            if os.path.isfile(src):
                shutil.copy2(src, os.path.join(to, "tunnels", f))

    def log(self, node):
        try:
            with open(self.logs[node], errors="replace") as f:
                return f.read()
        except (OSError, KeyError):
            return ""

    def links(self, node):
        return self.log(node).count(f"tunnel {TUNNEL}: agent connected from")

    def agent_log(self):
        with open(os.path.join(self.work, "agent.log"), errors="replace") as f:
            return f.read()

    def up(self, nodes):
        for node in nodes:
            shutil.rmtree(self.data(node), ignore_errors=True)
        self.start_node(nodes[0])
        out = subprocess.run(["java", "-jar", self.relay_jar, "tunnel", "add", TUNNEL, "--ftp-port", str(FTP_PORT),
                              "--data-dir", self.data(1)], check=True, capture_output=True, text=True).stdout
        last = out.strip().splitlines()[-1]
        self.token = re.search(r"--token (\S+)", last).group(1)
        self.pin = re.search(r"--pin (\S+)", last).group(1)
        m.wait_for(lambda: f"tunnel {TUNNEL}: listening for FTP clients" in self.log(1), 30, "node 1 to serve the tunnel")
        for node in nodes[1:]:
            self.copy_registry(node)
            self.start_node(node)
        write_hosts(nodes)
        m.start("agent", m.ns("lan", "java", "-jar", self.agent_jar, "--relay", f"{NAME}:{m.AGENT_PORT}",
                              "--relay-refresh", "1s", "--token", self.token, "--pin", self.pin,
                              "--upstream", f"127.0.0.1:{UPSTREAM_PORT}"), os.path.join(self.work, "agent.log"))
        for node in nodes:
            m.wait_for(lambda: self.links(node) >= 1, 60, f"the agent's link to node {node}")

    def kill(self, node):
        p = self.procs[node]
        p.kill()
        p.wait()

    def cleanup(self):
        for node in self.added:
            subprocess.run(m.ns("relay", "ip", "addr", "del", f"{ip(node)}/24", "dev", "r0"), stderr=subprocess.DEVNULL)
        shutil.rmtree(HOSTS_DIR, ignore_errors=True)


def curl(node, local, rate=None):
    limit = ["--limit-rate", rate] if rate else []
    return m.ns("client", "curl", "-sS", "-v", "--disable-epsv", "--max-time", "300", *limit, "-o", local,
                f"ftp://{ip(node)}:{FTP_PORT}/pub/big.bin")


def download(node, local, expected, rate=None):
    """(ok, what the client saw) for one whole download through node, checking its 227."""
    if os.path.exists(local):
        os.remove(local)
    p = subprocess.run(curl(node, local, rate), capture_output=True, text=True, errors="replace", timeout=330)
    return judge(node, p.returncode, p.stderr, local, expected)


def judge(node, rc, err, local, expected):
    passive = re.findall(r"(?m)^< (227 [^\r\n]*)", err)
    own = f"({ip(node).replace('.', ',')},"
    got_226 = bool(re.search(r"(?m)^< 226", err))
    whole = rc == 0 and got_226 and os.path.exists(local) and m.sha256(local) == expected
    ok = whole and bool(passive) and all(own in line for line in passive)
    seen = ("226, equal SHA-256" if whole else f"curl exit {rc}: {m.last_error(err)[:60]}") + (
        f"; 227 names {ip(node)}" if passive and all(own in line for line in passive)
        else f"; 227: {passive[0] if passive else 'none'}")
    return ok, seen


def size(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def case_each_node(c, work, expected):
    results = []
    procs = {}
    for node in (1, 2, 3):
        local = os.path.join(work, f"each-{node}.bin")
        if os.path.exists(local):
            os.remove(local)
        procs[node] = (subprocess.Popen(curl(node, local), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, errors="replace"), local)
    for node, (p, local) in procs.items():
        err = p.communicate(timeout=330)[1]
        results.append((node, *judge(node, p.returncode, err, local, expected)))
    ok = all(r[1] for r in results)
    return ("a client on each node downloads", "; ".join(f"node {n}: {s}" for n, _, s in results),
            f"agent links per node: {[c.links(n) for n in (1, 2, 3)]}", ok)


def case_kill(c, work, expected, total):
    locals_ = {n: os.path.join(work, f"kill-{n}.bin") for n in (1, 2, 3)}
    for f in locals_.values():
        if os.path.exists(f):
            os.remove(f)
    procs = {n: subprocess.Popen(curl(n, locals_[n], RATE), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True, errors="replace") for n in (1, 2, 3)}
    m.wait_for(lambda: size(locals_[2]) >= min(20 << 20, total // 4) or procs[2].poll() is not None, 60,
               "node 2's download to grow")
    links_before = {n: c.links(n) for n in (1, 3)}
    agent_before = len(c.agent_log())
    killed = time.time()
    c.kill(2)
    err2 = procs[2].communicate(timeout=120)[1]
    failed_after = time.time() - killed
    clean = procs[2].returncode == 0 or bool(re.search(r"(?m)^< 226", err2))
    short = size(locals_[2])
    lost = f"({ip(2)}) lost"
    m.wait_for(lambda: lost in c.agent_log()[agent_before:] or "cannot link to relay" in c.agent_log()[agent_before:],
               30, "the agent to notice node 2 is gone")
    noticed = time.time() - killed
    others = {}
    for n in (1, 3):
        err = procs[n].communicate(timeout=330)[1]
        others[n] = judge(n, procs[n].returncode, err, locals_[n], expected)
    retry_ok, retry_seen = download(3, os.path.join(work, "retry-3.bin"), expected)
    kept = all(c.links(n) == links_before[n] for n in (1, 3)) and all(
        f"tunnel {TUNNEL}: agent link from" not in c.log(n) for n in (1, 3))
    ok = (not clean and short < total and all(o[0] for o in others.values()) and retry_ok and kept
          and c.procs[1].poll() is None and c.procs[3].poll() is None)
    return ("kill -9 node 2 during RETR",
            f"node 2: curl exit {procs[2].returncode} after {failed_after:.1f} s, {short >> 20} MiB; "
            + "; ".join(f"node {n}: {o[1]}" for n, o in others.items()) + f"; retry via node 3: {retry_seen}",
            f"agent noticed after {noticed:.1f} s; links to nodes 1 and 3 kept: {kept}", ok)


def case_restart(c, work, expected):
    before = c.links(2)
    started = time.time()
    c.start_node(2)
    up = time.time()
    m.wait_for(lambda: c.links(2) > before, 90, "the agent to link to node 2 again")
    relinked = time.time() - up
    ok, seen = download(2, os.path.join(work, "restart-2.bin"), expected)
    return ("restart node 2", f"node 2: {seen}",
            f"agent linked again {relinked:.1f} s after node 2 listened (start took {up - started:.1f} s)", ok)


def case_join(c, work, expected):
    c.copy_registry(4)
    c.start_node(4)
    changed = time.time()
    write_hosts([1, 2, 3, 4])
    m.wait_for(lambda: c.links(4) >= 1, 60, "the agent to link to node 4")
    linked = time.time() - changed
    appeared = f"relay node {NAME}:{m.AGENT_PORT} ({ip(4)}) appeared" in c.agent_log()
    ok, seen = download(4, os.path.join(work, "join-4.bin"), expected)
    return ("node 4 joins the name", f"node 4: {seen}",
            f"agent linked {linked:.1f} s after the hosts file named node 4 (--relay-refresh 1s)", ok and appeared)


def main():
    args = m.lab_arguments("multinode", "/tmp/ferry-lab-multinode", 100)
    if args is None:
        return 2
    for f in os.listdir(args.work):  # what an earlier run left: logs, data dirs, downloads
        path = os.path.join(args.work, f)
        if f.endswith(".log") or (f.startswith("node") and os.path.isdir(path)):
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    rows = []
    c = Cluster(args.work, args.relay_jar, args.agent_jar)
    try:
        m.fixtures(args.work, args.size_mib)
        expected, total = m.sha256(os.path.join(args.work, "big.bin")), args.size_mib << 20
        conf = os.path.join(args.work, "vsftpd.conf")
        shutil.copyfile(os.path.join(HERE, "servers", "vsftpd.conf"), conf)
        m.start("vsftpd", m.ns("lan", "/usr/sbin/vsftpd", conf), os.path.join(args.work, "vsftpd.log"))
        m.wait_for(lambda: subprocess.run(m.ns("lan", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{UPSTREAM_PORT}"),
                                          stderr=subprocess.DEVNULL).returncode == 0, 15, "vsftpd")
        c.up([1, 2, 3])
        m.log(f"three relay nodes behind {NAME} and one agent behind the NAT are up")
        cases = [("a client on each node downloads", lambda: case_each_node(c, args.work, expected)),
                 ("kill -9 node 2 during RETR", lambda: case_kill(c, args.work, expected, total)),
                 ("restart node 2", lambda: case_restart(c, args.work, expected)),
                 ("node 4 joins the name", lambda: case_join(c, args.work, expected))]
        for name, case in cases:
            try:
                rows.append(case())
            except Exception as e:  # one broken case must not hide the others
                rows.append((name, f"{type(e).__name__}: {e}"[:100], "", False))
            m.log(f"{rows[-1][0]}: {'PASS' if rows[-1][3] else 'FAIL'}")
    finally:
        m.stop_all()
        c.cleanup()
    return report(rows)


def report(rows):
    print()
    print(f"NAT lab, several relay nodes: {NAME} with one address per node in the agent's hosts file")
    print(f"{'case':<32} | {'what the clients saw':<120} | {'what the operator saw':<90} | result")
    print("-" * 260)
    for case, client, operator, ok in rows:
        print(f"{case:<32} | {client:<120} | {operator:<90} | {'PASS' if ok else 'FAIL'}")
    failed = sum(1 for r in rows if not r[3])
    if len(rows) < 4:
        failed += 4 - len(rows)
    print(f"multinode: {'FAILED' if failed else 'PASSED'} ({failed} of 4 failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
