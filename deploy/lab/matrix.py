#!/usr/bin/env python3
"""The NAT lab matrix: real FTP servers behind a real NAT, published through a Ferry relay, driven
by real clients from the "internet" side.

Then, for every server, ABOR of a running RETR and STOR (clients/abor_client.py: Python's
FTP.abort() and an RFC 959 Synch) through the relay from the client side and directly from the lan
side: the replies must be the same.

Run it with the lab up (natlab.sh up) and as root:
  matrix.py --relay-jar J --agent-jar J --commons-net-classpath J [--work DIR] [--size-mib N]

It starts vsftpd, proftpd and pure-ftpd (stock passive settings) and one Ferry agent per server in
the lan namespace (plus an agent with its embedded server), the relay in the relay namespace, runs
curl, lftp, Python's ftplib and commons-net in the client namespace in PASV, EPSV and active mode,
then the FTPS and shared-port columns (ftps_columns.py: explicit and implicit FTPS, the shared port,
vsftpd plain and insisting on TLS, and a tcpdump capture that must not hold the password),
prints the matrix and exits 1 if any cell failed. It stops everything it started, even on failure.
"""
import argparse
import concurrent.futures
import hashlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = "/opt/ferry-lab"
RELAY_IP = "198.51.100.1"
AGENT_PORT = 7835
PUBLIC_227 = "(198,51,100,1,"
USER, PASSWORD = "ferry", "ferry-lab-pw"
HOME = "/srv/ferry-lab/home"
ANON = "/srv/ftp"
EMBEDDED = "/srv/ferry-lab/embedded"
MODES = ["pasv", "epsv", "active"]
OPS = ["login-anon", "login-user", "list", "nlst", "retr-100m", "stor-100m", "rest", "mirror-get", "mirror-put",
       "two-at-once", "reply-address"]
# name, upstream port on the lan host, public port on the relay
SERVERS = [("vsftpd", 2121, 2121), ("proftpd", 2122, 2122), ("pure-ftpd", 2123, 2123), ("embedded", 0, 2124)]
CLIENTS = ["curl", "lftp", "ftplib", "commons-net"]
# ABOR of a running transfer, as ftplib sends it (FTP.abort()) and as RFC 959 clients do (a Synch).
ABOR_CELLS = [(op, style) for op in ("retr", "stor") for style in ("synch", "ftplib")]
ABOR_BIG = "abor-big.bin"

processes = []


def log(msg):
    print(f"[matrix {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def ns(name, *cmd):
    return ["ip", "netns", "exec", f"ferry-{name}", *cmd]


def start(name, cmd, logfile):
    out = open(logfile, "wb")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    processes.append((name, p))
    return p


def stop_all():
    for name, p in reversed(processes):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.time() + 10
    for name, p in reversed(processes):
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    processes.clear()


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------------------------ fixtures

def lab_arguments(name, work, size_mib):
    """The arguments of a lab script beside the matrix (the jars, --work, --size-mib), or None unless root.
    The work folder is made, readable by the servers' users."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--relay-jar", required=True)
    ap.add_argument("--agent-jar", required=True)
    ap.add_argument("--work", default=work)
    ap.add_argument("--size-mib", type=int, default=size_mib)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print(f"{name}: must run as root (network namespaces)", file=sys.stderr)
        return None
    os.makedirs(args.work, exist_ok=True)
    os.chmod(args.work, 0o755)
    return args


def fixtures(work, size_mib):
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--home-dir", HOME, "--shell", "/bin/bash", USER], check=True)
    subprocess.run(["chpasswd"], input=f"{USER}:{PASSWORD}\n".encode(), check=True)
    if os.path.exists(HOME):
        shutil.rmtree(HOME)
    os.makedirs(HOME)
    shutil.chown(HOME, USER, USER)
    big = os.path.join(work, "big.bin")
    if not os.path.exists(big) or os.path.getsize(big) != size_mib << 20:
        with open(big, "wb") as f:
            for _ in range(size_mib):
                f.write(os.urandom(1 << 20))
    tree = os.path.join(work, "tree")
    if not os.path.exists(tree):
        for i in range(200):
            d = os.path.join(tree, f"d{i % 10}", f"e{i % 3}")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"f{i}.txt"), "wb") as f:
                f.write(os.urandom(100 + i * 37))
    for root in (ANON, EMBEDDED):
        os.makedirs(root, exist_ok=True)
        os.chmod(root, 0o755)
        pub = os.path.join(root, "pub")
        if os.path.exists(pub):
            shutil.rmtree(pub)
        os.makedirs(pub)
        shutil.copyfile(big, os.path.join(pub, "big.bin"))
        shutil.copytree(tree, os.path.join(pub, "tree"))
        for d, _, files in os.walk(pub):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
    os.chmod(EMBEDDED, 0o777)
    for f in os.listdir(EMBEDDED):  # what earlier runs uploaded (a stale tree makes lftp's mirror -R skip files)
        path = os.path.join(EMBEDDED, f)
        if f != "pub":
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    os.makedirs("/var/run/vsftpd/empty", exist_ok=True)


# ------------------------------------------------------------------------------------ servers

def start_servers(work):
    conf = os.path.join(work, "vsftpd.conf")
    with open(conf, "w") as f:
        f.write(open(os.path.join(HERE, "servers", "vsftpd.conf")).read())
    start("vsftpd", ns("lan", "/usr/sbin/vsftpd", conf), os.path.join(work, "vsftpd.log"))

    pconf = os.path.join(work, "proftpd.conf")
    with open(pconf, "w") as f:
        f.write(open(os.path.join(HERE, "servers", "proftpd.conf")).read().replace("@WORK@", work)
                .replace("@LAB@", LAB))
    start("proftpd", ns("lan", f"{LAB}/proftpd/usr/sbin/proftpd", "--nodaemon", "--config", pconf),
          os.path.join(work, "proftpd.log"))

    start("pure-ftpd", ns("lan", f"{LAB}/pure-ftpd/usr/sbin/pure-ftpd", "--bind", "0.0.0.0,2123", "--login", "unix",
                          "--dontresolve", "--maxclientsnumber", "100", "--maxclientsperip", "100"),
          os.path.join(work, "pure-ftpd.log"))
    for name, port, _ in SERVERS:
        if port:
            wait_for(lambda: subprocess.run(ns("lan", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}"),
                                            stderr=subprocess.DEVNULL).returncode == 0, 15, f"{name} on {port}")


# ------------------------------------------------------------------------------------ ferry

def add_tunnel(relay_jar, data, name, port=None):
    """`tunnel add`: (token, relay pin) for the agent. Without a port the tunnel is on the shared port only."""
    out = subprocess.run(["java", "-jar", relay_jar, "tunnel", "add", name, *(["--ftp-port", str(port)] if port else []),
                          "--data-dir", data], check=True, capture_output=True, text=True).stdout
    last = out.strip().splitlines()[-1]
    return re.search(r"--token (\S+)", last).group(1), re.search(r"--pin (\S+)", last).group(1)


def start_ferry(work, relay_jar, agent_jar, extra=()):
    data = os.path.join(work, "relay-data")
    shutil.rmtree(data, ignore_errors=True)
    start("relay", ns("relay", "java", "-jar", relay_jar, "serve", "--data-dir", data, "--public-address", RELAY_IP,
                      "--bind", RELAY_IP, "--agent-listen", f"{RELAY_IP}:{AGENT_PORT}",
                      "--passive-ports", "30000-30999", "--max-sessions-per-ip", "200", *extra),
          os.path.join(work, "relay.log"))
    wait_for(lambda: os.path.exists(os.path.join(data, "relay.properties")), 30, "the relay")
    for name, upstream, public in SERVERS:
        token, pin = add_tunnel(relay_jar, data, f"{name}.lab.test", public)
        target = ["--upstream", f"127.0.0.1:{upstream}"] if upstream else ["--serve-dir", EMBEDDED, "--serve-login",
                                                                           f"{USER}:{PASSWORD}"]
        logfile = os.path.join(work, f"agent-{name}.log")
        start(f"agent-{name}", ns("lan", "java", "-jar", agent_jar, "--relay", f"{RELAY_IP}:{AGENT_PORT}",
                                  "--token", token, "--pin", pin, *target), logfile)
    for name, _, _ in SERVERS:
        logfile = os.path.join(work, f"agent-{name}.log")
        wait_for(lambda: "is live at" in open(logfile, errors="replace").read(), 60, f"agent for {name}")
    log("relay and agents are up")


# ------------------------------------------------------------------------------------ clients

def run_client(cmd, timeout=300, cwd=None):
    try:
        p = subprocess.run(ns("client", *cmd), capture_output=True, text=True, errors="replace", timeout=timeout,
                           cwd=cwd)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 124, "", f"timed out after {timeout} s"


def passive_lines(text):
    return [m for m in re.findall(r"(?m)(?:^|[<>-] ?|\*resp\* ')(22[79] [^\r\n']*)", text)]


def reply_check(mode, transcripts):
    seen = [line for t in transcripts for line in passive_lines(t)]
    if mode == "active":
        return (not seen, "no 227/229 in active mode" if not seen else seen[0])
    bad = [line for line in seen if line.startswith("227") and PUBLIC_227 not in line]
    return (not bad and bool(seen), bad[0] if bad else f"{len(seen)} passive replies")


def last_error(err):
    lines = [l for l in err.splitlines() if l.strip() and not l.lstrip().startswith("at ")]
    return lines[-1][:160] if lines else ""


def curl_cells(server, port, mode, work, expected):
    base = f"ftp://{RELAY_IP}:{port}"
    flags = {"pasv": ["--disable-epsv"], "epsv": [], "active": ["--ftp-port", "-"]}[mode]
    common = ["curl", "-sS", "-v", "--max-time", "120", *flags]
    user = ["-u", f"{USER}:{PASSWORD}"]
    cells, transcripts = {}, []
    tmp = os.path.join(work, f"curl-{server}-{mode}")
    os.makedirs(tmp, exist_ok=True)

    def step(op, cmd, check=lambda out: True):
        rc, out, err = run_client(cmd)
        transcripts.append(err)
        ok = rc == 0 and check(out)
        cells[op] = (ok, "" if ok else f"exit {rc}: {last_error(err)}")

    step("login-anon", [*common, f"{base}/"])
    step("login-user", [*common, *user, f"{base}/"])
    step("list", [*common, *user, f"{base}/"])
    step("nlst", [*common, "--list-only", f"{base}/pub/"], lambda out: "big.bin" in out)
    down = os.path.join(tmp, "down.bin")
    step("retr-100m", [*common, "-o", down, f"{base}/pub/big.bin"], lambda out: sha256(down) == expected)
    step("stor-100m", [*common, *user, "-T", os.path.join(work, "big.bin"), f"{base}/up-curl-{mode}.bin"])
    part = os.path.join(tmp, "part.bin")
    with open(os.path.join(work, "big.bin"), "rb") as src, open(part, "wb") as dst:
        dst.write(src.read(30 << 20))
    step("rest", [*common, "-C", "-", "-o", part, f"{base}/pub/big.bin"], lambda out: sha256(part) == expected)
    cells["mirror-get"] = cells["mirror-put"] = None
    both = [ns("client", *common, "-o", os.path.join(tmp, f"c{i}.bin"), f"{base}/pub/big.bin") for i in range(2)]
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in both]
    errs = [p.communicate(timeout=300)[1] for p in procs]
    transcripts.extend(errs)
    ok = all(p.returncode == 0 for p in procs) and all(sha256(os.path.join(tmp, f"c{i}.bin")) == expected
                                                        for i in range(2))
    cells["two-at-once"] = (ok, "" if ok else last_error(errs[0] + errs[1]))
    cells["reply-address"] = reply_check(mode, transcripts)
    shutil.rmtree(tmp, ignore_errors=True)
    return cells


def lftp_cells(server, port, mode, work, expected):
    settings = {"pasv": "set ftp:passive-mode on; set ftp:prefer-epsv no;",
                "epsv": "set ftp:passive-mode on; set ftp:prefer-epsv yes;",
                "active": "set ftp:passive-mode off; set ftp:port-range 40000-40999;"}[mode]
    base = ("set ftp:ssl-allow no; set net:max-retries 1; set net:timeout 30; set net:reconnect-interval-base 1; "
            "set cmd:fail-exit yes; set xfer:clobber on; " + settings)
    tmp = os.path.join(work, f"lftp-{server}-{mode}")
    os.makedirs(tmp, exist_ok=True)
    cells, transcripts = {}, []

    def step(op, script, user=True, check=lambda out: True):
        login = ["-u", f"{USER},{PASSWORD}"] if user else ["-u", "anonymous,lab@example.net"]
        rc, out, err = run_client(["lftp", "-d", *login, "-e", base + script + "; bye",
                                   f"ftp://{RELAY_IP}:{port}"], cwd=tmp)
        transcripts.append(err + out)
        ok = rc == 0 and check(out)
        cells[op] = (ok, "" if ok else f"exit {rc}: {last_error(err)}")

    step("login-anon", "pwd", user=False)
    step("login-user", "pwd")
    step("list", "ls")
    step("nlst", "nlist pub", user=False, check=lambda out: "big.bin" in out)
    down = os.path.join(tmp, "down.bin")
    step("retr-100m", f"get pub/big.bin -o {down}", user=False, check=lambda out: sha256(down) == expected)
    step("stor-100m", f"put {os.path.join(work, 'big.bin')} -o up-lftp-{mode}.bin")
    part = os.path.join(tmp, "part.bin")
    with open(os.path.join(work, "big.bin"), "rb") as src, open(part, "wb") as dst:
        dst.write(src.read(30 << 20))
    step("rest", f"get -c pub/big.bin -o {part}", user=False, check=lambda out: sha256(part) == expected)
    mirror = os.path.join(tmp, "mirror")
    step("mirror-get", f"mirror pub/tree {mirror}", user=False,
         check=lambda out: same_tree(os.path.join(work, "tree"), mirror))
    remote = f"tree-lftp-{mode}"
    step("mirror-put", f"mirror -R {os.path.join(work, 'tree')} {remote}")
    cells["mirror-put"] = cells["mirror-put"] if not cells["mirror-put"][0] else (
        (True, "") if same_tree(os.path.join(work, "tree"), os.path.join(server_home(server), remote))
        else (False, "uploaded tree differs"))
    both = [subprocess.Popen(ns("client", "lftp", "-d", "-u", "anonymous,x", "-e",
                                base + f"get pub/big.bin -o {tmp}/c{i}.bin; bye", f"ftp://{RELAY_IP}:{port}"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
            for i in range(2)]
    outs = [p.communicate(timeout=300) for p in both]
    transcripts.extend(o[1] for o in outs)
    ok = all(p.returncode == 0 for p in both) and all(sha256(f"{tmp}/c{i}.bin") == expected for i in range(2))
    cells["two-at-once"] = (ok, "" if ok else last_error(outs[0][1] + outs[1][1]))
    cells["reply-address"] = reply_check(mode, transcripts)
    shutil.rmtree(tmp, ignore_errors=True)
    return cells


def program_cells(cmd):
    return program_cells_for(OPS, cmd, optional=("mirror-get", "mirror-put"))


def program_cells_for(ops, cmd, optional=()):
    """Runs a client program that prints RESULT lines; an op it never reported fails (unless optional)."""
    rc, out, err = run_client(cmd, timeout=600)
    cells = {op: None for op in ops}
    for line in out.splitlines():
        m = re.match(r"RESULT (\S+) (PASS|FAIL) ?(.*)", line)
        if m:
            cells[m.group(1)] = (m.group(2) == "PASS", m.group(3) if m.group(2) == "FAIL" else "")
    for op in ops:
        if op not in optional and cells[op] is None:
            cells[op] = (False, f"not run (exit {rc}): {last_error(err)}")
    return cells


def ftplib_cells(server, port, mode, work, expected):
    return program_cells(["python3", os.path.join(HERE, "clients", "ftplib_client.py"), RELAY_IP, str(port), mode,
                          work, USER, PASSWORD])


def commons_net_cells(server, port, mode, work, expected, jar):
    return program_cells(["java", "-cp", jar, os.path.join(HERE, "clients", "CommonsNetClient.java"), RELAY_IP,
                          str(port), mode, work, USER, PASSWORD])


def server_home(server):
    return EMBEDDED if server == "embedded" else HOME


def same_tree(a, b):
    def files(root):
        out = {}
        for d, _, fs in os.walk(root):
            for f in fs:
                p = os.path.join(d, f)
                out[os.path.relpath(p, root)] = sha256(p)
        return out
    return os.path.isdir(b) and files(a) == files(b)


def check_uploads(server, cells_by_client, mode, expected):
    """STOR is judged on the server's disk: the uploaded file must have the same SHA-256."""
    for client, cells in cells_by_client.items():
        ok, detail = cells.get("stor-100m") or (False, "not run")
        if ok:
            path = os.path.join(server_home(server), f"up-{client}-{mode}.bin")
            if not os.path.exists(path) or sha256(path) != expected:
                cells["stor-100m"] = (False, f"{path} missing or different")


# ------------------------------------------------------------------------------------ ABOR

def timeless(replies):
    """Replies with measured figures masked (pure-ftpd: "150 3.318 seconds (measured here), 1.39 Mbytes ...")."""
    return re.sub(r"\d+\.\d+", "#", replies)


def abor_cells(work):
    """ABOR of a running RETR and STOR, through the relay and directly from the lan side, at once."""
    for home in (HOME, EMBEDDED):
        with open(os.path.join(home, ABOR_BIG), "wb") as f:
            f.truncate(4 << 30)  # sparse: never read to the end
        os.chmod(os.path.join(home, ABOR_BIG), 0o644)
    log_text = open(os.path.join(work, "agent-embedded.log"), errors="replace").read()
    embedded_port = re.search(r"for upstream FTP server \S*:(\d+)", log_text).group(1)
    client = os.path.join(HERE, "clients", "abor_client.py")

    def attempt(server, upstream, public, op, style):
        sides = {"direct": ns("lan", "python3", client, "127.0.0.1", str(upstream or embedded_port)),
                 "relay": ns("client", "python3", client, RELAY_IP, str(public))}
        procs = {}
        for side, cmd in sides.items():
            path = ABOR_BIG if op == "retr" else f"abor-up-{style}-{side}.bin"
            procs[side] = subprocess.Popen([*cmd, USER, PASSWORD, path, style, op, "2"], stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True, errors="replace")
        out = {}
        for side, p in procs.items():
            try:
                o, e = p.communicate(timeout=60)
                out[side] = o.strip() or f"exit {p.returncode}: {last_error(e)}"
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                out[side] = "timed out after 60 s"
        return out["direct"], out["relay"]

    def one(server, upstream, public, op, style):
        # Some servers race with their own client (pure-ftpd reads the control connection once per
        # chunk and drops a partial line): directly they answer one of a few ways. The relay passes
        # when it gets an answer the server gave directly, within three tries.
        seen, relayed = [], []
        for _ in range(3):
            direct, relay = attempt(server, upstream, public, op, style)
            if direct.startswith("ABOR "):
                seen.append(timeless(direct))
            relayed.append(relay)
            if any(timeless(r) in seen for r in relayed):
                note = "" if len(relayed) == 1 else f" (try {len(relayed)})"
                return True, direct + note
        return False, f"direct: {' // '.join(seen) or direct} / relay: {' // '.join(relayed)}"

    cells = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futures = {(server, op, style): pool.submit(one, server, upstream, public, op, style)
                   for server, upstream, public in SERVERS for op, style in ABOR_CELLS}
        for key, f in futures.items():
            cells[key] = f.result()
    return cells


# ------------------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--relay-jar", required=True)
    ap.add_argument("--agent-jar", required=True)
    ap.add_argument("--commons-net-classpath", required=True)
    ap.add_argument("--work", default="/tmp/ferry-lab-work")
    ap.add_argument("--size-mib", type=int, default=100)
    ap.add_argument("--skip-plain", action="store_true", help="only the FTPS and shared-port columns (to iterate)")
    ap.add_argument("--ftps-cells", metavar="REGEX", help="only the FTPS cells whose 'target access client mode' "
                    "matches (to iterate)")
    ap.add_argument("--abor-only", action="store_true", help="run only the ABOR cells (to try them alone)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("matrix: must run as root (network namespaces)", file=sys.stderr)
        return 2
    os.makedirs(args.work, exist_ok=True)
    os.chmod(args.work, 0o755)
    results = {}
    ftps_failed = 0
    abor = {}
    try:
        fixtures(args.work, args.size_mib)
        expected = sha256(os.path.join(args.work, "big.bin"))
        start_servers(args.work)
        ftps_columns.write_hosts()
        start_ferry(args.work, args.relay_jar, args.agent_jar, ftps_columns.relay_flags(args.work))
        drivers = {"curl": curl_cells, "lftp": lftp_cells, "ftplib": ftplib_cells,
                   "commons-net": lambda *a: commons_net_cells(*a, args.commons_net_classpath)}
        for server, _, port in ([] if args.abor_only or args.skip_plain else SERVERS):
            for mode in MODES:
                log(f"{server} / {mode}: running {len(CLIENTS)} clients")
                with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                    futures = {c: pool.submit(drivers[c], server, port, mode, args.work, expected) for c in CLIENTS}
                    by_client = {c: f.result() for c, f in futures.items()}
                check_uploads(server, by_client, mode, expected)
                for client, cells in by_client.items():
                    results[(server, client, mode)] = cells
        if not args.skip_plain:
            log("ABOR of a running RETR and STOR, through the relay and directly")
            abor = abor_cells(args.work)
        if not args.abor_only:
            log("FTPS and shared-port columns")
            try:
                ftps_results, capture = ftps_columns.run(args.work, args.relay_jar, args.agent_jar,
                                                         args.commons_net_classpath, expected, args.ftps_cells)
                ftps_failed = ftps_columns.report(ftps_results, capture, args.ftps_cells)
            except Exception as e:  # the plain matrix above still gets its report
                log(f"FTPS and shared-port columns could not run: {type(e).__name__}: {e}")
                ftps_failed = 1
    finally:
        stop_all()
        ftps_columns.remove_hosts()
    plain = report(results, abor, expect_matrix=not (args.abor_only or args.skip_plain), expect_abor=not args.skip_plain)
    return 1 if plain or ftps_failed else 0


def print_rows(results, keys, ops, failures):
    """Prints a table of rows (key tuple -> {op: (ok, detail) or None}); adds failures; returns how many."""
    header = " ".join(f"{name:<{width}}" for name, width in keys) + " " + " ".join(f"{op:<13}" for op in ops)
    print(header)
    print("-" * len(header))
    failed = 0
    for key, cells in results.items():
        row = []
        for op in ops:
            cell = cells.get(op)
            if cell is None:
                row.append("-")
            elif cell[0]:
                row.append("PASS")
            else:
                row.append("FAIL")
                failed += 1
                failures.append(f"  {' / '.join(key)} / {op}: {cell[1]}")
        print(" ".join(f"{k:<{width}}" for k, (_, width) in zip(key, keys)) + " " + " ".join(f"{c:<13}" for c in row))
    return failed


def report(results, abor, expect_matrix=True, expect_abor=True):
    failed = 0
    print()
    print("NAT lab matrix: server x client x mode -> operations (PASS, FAIL, - = not applicable)")
    failures = []
    failed += print_rows(results, [("server", 10), ("client", 12), ("mode", 7)], OPS, failures)
    expected_rows = len(SERVERS) * len(CLIENTS) * len(MODES) if expect_matrix else 0
    print()
    print("ABOR of a running transfer: the same replies through the relay as directly (the direct replies shown)")
    for (server, op, style), (ok, detail) in sorted(abor.items()):
        print(f"  {server:<10} {op} {style:<7} {'PASS' if ok else 'FAIL'}  {detail}")
        if not ok:
            failed += 1
            failures.append(f"  {server} / ABOR {op} {style}: {detail}")
    if expect_abor and len(abor) != len(SERVERS) * len(ABOR_CELLS):
        print(f"ABOR cells incomplete: {len(abor)} of {len(SERVERS) * len(ABOR_CELLS)} ran")
        failed += 1
    print()
    if len(results) != expected_rows:
        print(f"matrix incomplete: {len(results)} of {expected_rows} rows ran")
        failed += 1
    if failures:
        print("failures:")
        print("\n".join(failures))
    print(f"matrix: {'FAILED' if failed else 'PASSED'} ({failed} failed cells)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.modules["matrix"] = sys.modules[__name__]  # ftps_columns imports this module's helpers as "matrix"
    sys.dont_write_bytecode = True  # no __pycache__ in the checkout
    import ftps_columns
    sys.exit(main())
