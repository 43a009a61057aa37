#!/usr/bin/env python3
"""Ferry's benchmark: Ferry against the alternatives, measured in one run on one machine.

Contenders, alternated A B C ... A B C ... in every round:
  direct       curl <-> vsftpd on loopback
  socat        two plain socat hops ("relay" and "agent" that only copy bytes, 256 KiB buffers),
               the control port and a forwarded passive range, vsftpd with pasv_address
  ssh          an OpenSSH reverse tunnel (aes128-gcm) forwarding the control port and the passive
               range, vsftpd with pasv_address
  ferry-tls    Ferry relay + agent, TLS link (the default)
  ferry-plain  Ferry relay + agent, --insecure
and FTPS (AUTH TLS, PROT P; curl --ssl-reqd), in the same rounds:
  ftps-direct  curl <-> vsftpd with ssl_enable
  ftps-ssh     the OpenSSH tunnel carrying vsftpd's own FTPS (control port and passive range forwarded)
  ftps-ferry   the ferry-tls relay terminating FTPS, plain vsftpd behind the agent
Also the rows of bench/perf_rows.py (cold start, many small files) and the session setup; run only
those with `--only cold,small,setup` (any of them; the report then holds just those sections).
Ferry's JVMs start with the launchers' options, deploy/jvm.options (`java @deploy/jvm.options -jar ...`).
All on 127.0.0.0/8. Writes bench/RESULTS.md. Environment: BENCH_ROUNDS (3), BENCH_SIZE_MIB (1024),
BENCH_NOOPS (10000), BENCH_IDLE_SESSIONS (10000), BENCH_CONCURRENT (100), BENCH_LONG_MIB (256).
"""
import asyncio
import datetime
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

sys.modules.setdefault("run", sys.modules[__name__])  # perf_rows uses this module's state, also when run as a script
import perf_rows  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.environ.get("BENCH_WORK", "/dev/shm/ferry-bench")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SIZE_MIB = int(os.environ.get("BENCH_SIZE_MIB", "1024"))
NOOPS = int(os.environ.get("BENCH_NOOPS", "10000"))
IDLE = int(os.environ.get("BENCH_IDLE_SESSIONS", "10000"))
CONCURRENT = int(os.environ.get("BENCH_CONCURRENT", "100"))
LONG_MIB = int(os.environ.get("BENCH_LONG_MIB", "256"))
LONG_WINDOWS = ("16MiB", "64MiB")  # the relay's --link-window: its default, and one sized for the link
DELAY_PROXY = [sys.executable, os.path.join(HERE, "delay_proxy.py")]
JVM_OPTIONS = os.path.join(ROOT, "deploy", "jvm.options")  # the launchers' JVM options, one place
JAVA = ["java", f"@{JVM_OPTIONS}"]
RELAY_JAR = os.environ.get("FERRY_RELAY_JAR", os.path.join(ROOT, "relay-server/target/ferry-relay.jar"))
AGENT_JAR = os.environ.get("FERRY_AGENT_JAR", os.path.join(ROOT, "relay-agent/target/ferry-agent.jar"))
SERVER = "127.0.0.6"
PASSIVE_SOCAT = range(2300, 2310)
PASSIVE_SSH = range(2310, 2320)
PASSIVE_FTPS_SSH = range(2320, 2330)
ENDPOINTS = {  # contender -> (host, port) a client uses
    "direct": (SERVER, 2100), "socat": ("127.0.0.7", 2101), "ssh": ("127.0.0.10", 2102),
    "ferry-tls": ("127.0.0.5", 2200), "ferry-plain": ("127.0.0.12", 2201),
    "ftps-direct": (SERVER, 2103), "ftps-ssh": ("127.0.0.10", 2104), "ftps-ferry": ("127.0.0.5", 2200)}
CONTENDERS = list(ENDPOINTS)
FTPS = ["ftps-direct", "ftps-ssh", "ftps-ferry"]  # curl asks for TLS (the self-signed certificates go unchecked)

procs = []
_started = set()


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def start(name, cmd, **kw):
    out = open(os.path.join(WORK, f"{name}.log"), "ab" if name in _started else "wb")
    _started.add(name)
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw)
    procs.append((name, p))
    return p


def stop_all():
    for _, p in reversed(procs):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.time() + 10
    for _, p in reversed(procs):
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    procs.clear()


def wait_port(host, port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {host}:{port}")


def wait_listening(port, timeout=30):
    """Waits until something listens on the port, without connecting to it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout.strip():
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def wait_log(name, text, timeout=60):
    path = os.path.join(WORK, f"{name}.log")
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and text in open(path, errors="replace").read():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} never logged '{text}'")


# ------------------------------------------------------------------------------------ setup

def vsftpd(name, port, extra):
    conf = os.path.join(WORK, f"{name}.conf")
    with open(conf, "w") as f:
        f.write("\n".join([
            "listen=YES", "listen_ipv6=NO", f"listen_address={SERVER}", f"listen_port={port}", "background=NO",
            "anonymous_enable=YES", f"anon_root={WORK}/root", "no_anon_password=YES", "local_enable=NO",
            "write_enable=YES", "anon_upload_enable=YES", "anon_other_write_enable=YES", "anon_umask=022",
            "secure_chroot_dir=/var/run/vsftpd/empty", "seccomp_sandbox=NO", "xferlog_enable=NO",
            "max_clients=0", "max_per_ip=0", *extra, ""]))
    start(name, ["/usr/sbin/vsftpd", conf])
    wait_port(SERVER, port)


def setup_files():
    os.makedirs(os.path.join(WORK, "root", "incoming"), exist_ok=True)
    os.chmod(WORK, 0o755)
    os.chmod(os.path.join(WORK, "root"), 0o755)
    os.chmod(os.path.join(WORK, "root", "incoming"), 0o777)
    for name, mib in (("big.bin", SIZE_MIB), ("ten.bin", 10), ("long.bin", LONG_MIB)):
        path = os.path.join(WORK, "root", name)
        if not os.path.exists(path) or os.path.getsize(path) != mib << 20:
            with open(path, "wb") as f:
                chunk = os.urandom(1 << 20)
                for _ in range(mib):
                    f.write(chunk)
            os.chmod(path, 0o644)
    os.makedirs("/var/run/vsftpd/empty", exist_ok=True)


def ftps_settings():
    """vsftpd's own FTPS: a self-signed certificate, TLS for anonymous sessions too."""
    cert, key = os.path.join(WORK, "vsftpd-ftps.cert.pem"), os.path.join(WORK, "vsftpd-ftps.key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "30", "-subj", "/CN=vsftpd.bench.test"], check=True, capture_output=True)
    return ["ssl_enable=YES", f"rsa_cert_file={cert}", f"rsa_private_key_file={key}", "ssl_ciphers=HIGH",
            "allow_anon_ssl=YES", "force_anon_logins_ssl=YES", "force_anon_data_ssl=YES"]


def setup_socat():
    for port in [2101, *PASSIVE_SOCAT]:
        start(f"socat-agent-{port}", ["socat", "-b", "262144", f"TCP-LISTEN:{port},bind=127.0.0.8,reuseaddr,fork",
                                      f"TCP:{SERVER}:{port}"])
        start(f"socat-relay-{port}", ["socat", "-b", "262144", f"TCP-LISTEN:{port},bind=127.0.0.7,reuseaddr,fork",
                                      f"TCP:127.0.0.8:{port}"])
    wait_port("127.0.0.7", 2101)


def setup_ssh():
    d = os.path.join(WORK, "ssh")
    os.makedirs(d, exist_ok=True)
    for key in ("host", "client"):
        if not os.path.exists(os.path.join(d, key)):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(d, key)], check=True)
    shutil.copy(os.path.join(d, "client.pub"), os.path.join(d, "authorized_keys"))
    os.makedirs("/run/sshd", exist_ok=True)
    conf = os.path.join(d, "sshd_config")
    with open(conf, "w") as f:
        f.write("\n".join(["ListenAddress 127.0.0.9:2222", f"HostKey {d}/host", "PermitRootLogin yes",
                           f"AuthorizedKeysFile {d}/authorized_keys", "StrictModes no", "PasswordAuthentication no",
                           "GatewayPorts clientspecified", "UsePAM no", "Ciphers aes128-gcm@openssh.com", ""]))
    start("sshd", ["/usr/sbin/sshd", "-D", "-e", "-f", conf])
    wait_port("127.0.0.9", 2222)
    forwards = []
    for port in [2102, *PASSIVE_SSH, 2104, *PASSIVE_FTPS_SSH]:
        forwards += ["-R", f"127.0.0.10:{port}:{SERVER}:{port}"]
    start("ssh-agent-side", ["ssh", "-N", "-p", "2222", "-i", os.path.join(d, "client"), "-c", "aes128-gcm@openssh.com",
                             "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                             "-o", "ExitOnForwardFailure=yes", *forwards, "root@127.0.0.9"])
    wait_port("127.0.0.10", 2102)


def setup_ferry(name, bind, ftp_port, agent_port, passive, insecure, upstream, agent_relay=None, extra=()):
    data = os.path.join(WORK, f"{name}-data")
    shutil.rmtree(data, ignore_errors=True)
    start(f"{name}-relay", [*JAVA, "-jar", RELAY_JAR, "serve", "--data-dir", data, "--public-address", bind,
                            "--bind", bind, "--agent-listen", f"127.0.0.1:{agent_port}", "--passive-ports", passive,
                            "--max-sessions-per-ip", "20000", "--max-sessions-per-tunnel", "20000",
                            "--max-passive-per-ip", "1000", *(["--insecure"] if insecure else []), *extra])
    deadline = time.time() + 30
    while not os.path.exists(os.path.join(data, "relay.properties")):
        if time.time() > deadline:
            raise RuntimeError(f"{name} relay did not start")
        time.sleep(0.1)
    return data


def add_tunnel(name, data, tunnel, ftp_port, upstream, relay_addr):
    out = subprocess.run(["java", "-jar", RELAY_JAR, "tunnel", "add", tunnel, "--ftp-port", str(ftp_port),
                          "--data-dir", data], check=True, capture_output=True, text=True).stdout
    last = out.strip().splitlines()[-1]
    token = re.search(r"--token (\S+)", last).group(1)
    trust = ["--insecure"] if "--insecure" in last else ["--pin", re.search(r"--pin (\S+)", last).group(1)]
    start(f"{name}-agent", [*JAVA, "-jar", AGENT_JAR, "--relay", relay_addr, "--token", token, *trust,
                            "--upstream", upstream])
    wait_log(f"{name}-agent", "is live at")


# ------------------------------------------------------------------------------------ measurements

def curl_speed(args):
    p = subprocess.run(["curl", "-s", "-S", *args], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"curl {' '.join(args)}: {p.stderr.strip()}")
    return float(p.stdout.strip()) / (1 << 20)


# Which processes carry each contender's bytes (matched on their command lines), for CPU accounting.
CARRIERS = {
    "socat": {"relay hop": "127.0.0.7,reuseaddr", "agent hop": "127.0.0.8,reuseaddr"},
    "ssh": {"sshd": "sshd", "ssh client": "root@127.0.0.9"},
    "ferry-tls": {"relay": "ferry-tls-data", "agent": "--relay 127.0.0.1:7950"},
    "ferry-plain": {"relay": "ferry-plain-data", "agent": "--relay 127.0.0.1:7951"},
    "ftps-ssh": {"sshd": "sshd", "ssh client": "root@127.0.0.9"},
    "ftps-ferry": {"relay": "ferry-tls-data", "agent": "--relay 127.0.0.1:7950"},
}


def tls(contender):
    """curl's flags for a contender: FTPS ones ask for AUTH TLS and PROT P on every connection."""
    return ["--ssl-reqd", "--insecure"] if contender in FTPS else []


def cpu_seconds(needle):
    """utime+stime (and reaped children's) of every process whose command line contains needle."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
            if needle not in cmd or "bench/run.py" in cmd:
                continue
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return total / tick


def retr_with_cpu(contender):
    carriers = CARRIERS.get(contender, {})
    before = {k: cpu_seconds(v) for k, v in carriers.items()}
    speed = retr(contender)
    used = {k: (cpu_seconds(v) - before[k]) / (SIZE_MIB / 1024) for k, v in carriers.items()}
    return speed, used


def retr(contender, name="big.bin"):
    host, port = ENDPOINTS[contender]
    return curl_speed([*tls(contender), "-o", "/dev/null", "-w", "%{speed_download}", f"ftp://{host}:{port}/{name}"])


def retr_phases(contender, name):
    """(whole session MiB/s, data phase MiB/s): the data phase runs from the first byte to the last."""
    host, port = ENDPOINTS[contender]
    p = subprocess.run(["curl", "-s", "-S", "-o", "/dev/null", "-w", "%{size_download} %{time_starttransfer} %{time_total}",
                        f"ftp://{host}:{port}/{name}"], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"curl {name}: {p.stderr.strip()}")
    size, first, total = (float(x) for x in p.stdout.split())
    return size / total / (1 << 20), size / (total - first) / (1 << 20)


def stor(contender):
    host, port = ENDPOINTS[contender]
    target = f"incoming/up-{contender}.bin"
    speed = curl_speed([*tls(contender), "-T", os.path.join(WORK, "root", "big.bin"), "-w", "%{speed_upload}",
                        f"ftp://{host}:{port}/{target}"])
    os.remove(os.path.join(WORK, "root", target))
    return speed


class Ftp:
    """A raw control connection, to time single commands without client-library overhead."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), 10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def reply(self):
        line = self.file.readline()
        if len(line) >= 4 and line[3:4] == b"-":
            code = line[:3]
            while not (line.startswith(code) and line[3:4] == b" "):
                line = self.file.readline()
        return line.decode("latin-1")

    def cmd(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def login(self):
        self.reply()
        self.cmd("USER anonymous")
        r = self.cmd("PASS bench@example.net")
        if not r.startswith("230"):
            raise RuntimeError(f"login failed: {r}")

    def close(self):
        self.sock.close()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def noop_rtt(contender):
    ftp = Ftp(*ENDPOINTS[contender])
    ftp.login()
    times = []
    for _ in range(NOOPS):
        t = time.perf_counter_ns()
        ftp.cmd("NOOP")
        times.append((time.perf_counter_ns() - t) / 1000)
    ftp.close()
    return pct(times, 50), pct(times, 99)


def session_setup(contender, n=300):
    host, port = ENDPOINTS[contender]
    greet, pasv = [], []
    for _ in range(n):
        t = time.perf_counter_ns()
        ftp = Ftp(host, port)
        ftp.reply()
        greet.append((time.perf_counter_ns() - t) / 1000)
        ftp.close()
    ftp = Ftp(host, port)
    ftp.login()
    for _ in range(n):
        t = time.perf_counter_ns()
        r = ftp.cmd("EPSV")
        m = re.search(r"\(\|\|\|(\d+)\|\)", r)
        if not m:
            raise RuntimeError(f"EPSV: {r}")
        data = socket.create_connection((host, int(m.group(1))), 10)
        pasv.append((time.perf_counter_ns() - t) / 1000)
        data.close()
    ftp.close()
    return pct(greet, 50), pct(greet, 99), pct(pasv, 50), pct(pasv, 99)


def concurrency(contender):
    host, port = ENDPOINTS[contender]
    t = time.time()
    ps = [subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download}",
                            f"ftp://{host}:{port}/ten.bin"], stdout=subprocess.PIPE, text=True)
          for _ in range(CONCURRENT)]
    speeds = [float(p.communicate()[0]) / (1 << 20) for p in ps]
    wall = time.time() - t
    if any(p.returncode for p in ps):
        raise RuntimeError("a concurrent transfer failed")
    return CONCURRENT * 10 / wall, min(speeds), statistics.mean(speeds)


def heap_used_kib(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) if m else 0


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def java_pid(name):
    for n, p in procs:
        if n == name:
            return p.pid
    raise KeyError(name)


async def hold_sessions(host, port, n):
    sem = asyncio.Semaphore(200)
    conns = []

    async def one():
        async with sem:
            r, w = await asyncio.open_connection(host, port)
            await r.readline()
            w.write(b"USER a\r\n")
            await r.readline()
            w.write(b"PASS b\r\n")
            line = await r.readline()
            if not line.startswith(b"230"):
                raise RuntimeError(line)
            conns.append(w)

    await asyncio.gather(*[one() for _ in range(n)])
    return conns


def timed_login(host, port):
    t = time.perf_counter()
    ftp = Ftp(host, port)
    ftp.login()
    ftp.close()
    return (time.perf_counter() - t) * 1000


def scale():
    start("idle-upstream", [sys.executable, os.path.join(HERE, "idle_upstream.py"), SERVER, "2150"])
    wait_port(SERVER, 2150)
    data = setup_ferry("scale", "127.0.0.13", 2203, 7953, "43000-43099", True, None)
    add_tunnel("scale", data, "scale.bench.test", 2203, f"{SERVER}:2150", "127.0.0.1:7953")
    wait_port("127.0.0.13", 2203)
    relay, agent = java_pid("scale-relay"), java_pid("scale-agent")
    for _ in range(50):
        timed_login("127.0.0.13", 2203)
    heap0, agent_heap0 = heap_used_kib(relay), heap_used_kib(agent)
    rss0, agent_rss0 = rss_kib(relay), rss_kib(agent)
    loop = asyncio.new_event_loop()
    t = time.time()
    conns = loop.run_until_complete(hold_sessions("127.0.0.13", 2203, IDLE))
    opened = time.time() - t
    time.sleep(2)
    heap1, agent_heap1 = heap_used_kib(relay), heap_used_kib(agent)
    rss1, agent_rss1 = rss_kib(relay), rss_kib(agent)
    logins = [timed_login("127.0.0.13", 2203) for _ in range(20)]
    for w in conns:
        w.close()
    loop.close()
    n = len(conns)
    return {"sessions": n, "open_s": opened,
            "relay_heap": (heap1 - heap0) / n, "relay_rss": (rss1 - rss0) / n,
            "agent_heap": (agent_heap1 - agent_heap0) / n, "agent_rss": (agent_rss1 - agent_rss0) / n,
            "login_p50": pct(logins, 50), "login_max": max(logins)}


def long_link():
    # plain: one TCP stream through the delay proxy
    # (a probe through the proxy would reach the sink and end it: wait for the sockets to listen instead)
    sink = subprocess.Popen(["socat", "-u", "-b", "262144", "TCP-LISTEN:7962,bind=127.0.0.1,reuseaddr", "OPEN:/dev/null"])
    start("delay-plain", [*DELAY_PROXY, "127.0.0.1:7961", "127.0.0.1:7962", "25"])
    wait_listening(7962)
    wait_listening(7961)
    t = time.time()
    subprocess.run(["socat", "-u", "-b", "262144", f"OPEN:{os.path.join(WORK, 'root', 'long.bin')}",
                    "TCP:127.0.0.1:7961"], check=True)
    sink.wait(120)
    plain = LONG_MIB / (time.time() - t)
    # ferry: the agent reaches a TLS relay through the same kind of proxy; the default window, then a larger one
    ferry = {}
    for i, window in enumerate(LONG_WINDOWS):
        name, bind, ftp_port, agent_port, proxy_port = f"long-{window}", f"127.0.0.{20 + i}", 2210 + i, 7970 + i, 7975 + i
        data_dir = setup_ferry(name, bind, ftp_port, agent_port, f"{44000 + 100 * i}-{44099 + 100 * i}", False, None,
                               extra=("--link-window", window))
        start(f"delay-{name}", [*DELAY_PROXY, f"127.0.0.1:{proxy_port}", f"127.0.0.1:{agent_port}", "25"])
        wait_port("127.0.0.1", proxy_port)
        add_tunnel(name, data_dir, f"{name.lower()}.bench.test", ftp_port, f"{SERVER}:2100", f"127.0.0.1:{proxy_port}")
        wait_port(bind, ftp_port)
        ENDPOINTS[name] = (bind, ftp_port)
        retr(name, "ten.bin")  # warm up
        runs = [retr_phases(name, "long.bin") for _ in range(2)]
        ferry[window] = (max(r[0] for r in runs), max(r[1] for r in runs))
    return plain, ferry


# ------------------------------------------------------------------------------------ report

def stats(values):
    return statistics.median(values), min(values), max(values)


def fmt(values):
    med, lo, hi = stats(values)
    return f"{med:,.0f} ({lo:,.0f}–{hi:,.0f})"


def main():
    only = None
    if len(sys.argv) > 1:
        if len(sys.argv) != 3 or sys.argv[1] != "--only" or not set(sys.argv[2].split(",")) <= {"cold", "small", "setup"}:
            sys.exit("usage: bench/run.sh [--only cold,small,setup]")
        only = sys.argv[2].split(",")
    if not (os.path.exists(RELAY_JAR) and os.path.exists(AGENT_JAR)):
        subprocess.run(["mvn", "-B", "-q", "-DskipTests", "package"], cwd=ROOT, check=True)
    os.makedirs(WORK, exist_ok=True)
    results = {"load": [os.getloadavg()]}
    try:
        log("setting up contenders")
        setup_files()
        perf_rows.setup_files()
        vsftpd("vsftpd-direct", 2100, [])
        if only:
            run_only(only, results)
            return
        vsftpd("vsftpd-socat", 2101, ["pasv_address=127.0.0.7", "pasv_min_port=2300", "pasv_max_port=2309"])
        vsftpd("vsftpd-ssh", 2102, ["pasv_address=127.0.0.10", "pasv_min_port=2310", "pasv_max_port=2319"])
        vsftpd("vsftpd-ftps-direct", 2103, ftps_settings())
        vsftpd("vsftpd-ftps-ssh", 2104, ["pasv_address=127.0.0.10", "pasv_min_port=2320", "pasv_max_port=2329",
                                         *ftps_settings()])
        setup_socat()
        log("cold start (fresh relay and agent, no warm-up)")
        results["cold"] = perf_rows.cold_start()
        setup_ssh()
        tls = setup_ferry("ferry-tls", "127.0.0.5", 2200, 7950, "41000-41999", False, None)
        add_tunnel("ferry-tls", tls, "tls.bench.test", 2200, f"{SERVER}:2100", "127.0.0.1:7950")
        plain = setup_ferry("ferry-plain", "127.0.0.12", 2201, 7951, "42000-42999", True, None)
        add_tunnel("ferry-plain", plain, "plain.bench.test", 2201, f"{SERVER}:2100", "127.0.0.1:7951")
        for c in CONTENDERS:
            wait_port(*ENDPOINTS[c])
            retr(c, "ten.bin")
        log("warm-up (the JVMs compile their hot paths during the first transfers)")
        for _ in range(3):
            for c in CONTENDERS:
                retr(c)
                stor(c)
        thr = {c: {"retr": [], "stor": []} for c in CONTENDERS}
        cpu = {c: [] for c in CONTENDERS}
        for r in range(ROUNDS):
            for c in CONTENDERS:
                speed, used = retr_with_cpu(c)
                thr[c]["retr"].append(speed)
                cpu[c].append(used)
                thr[c]["stor"].append(stor(c))
            log(f"round {r + 1}/{ROUNDS}: " + ", ".join(f"{c} {thr[c]['retr'][-1]:.0f}/{thr[c]['stor'][-1]:.0f}"
                                                      for c in CONTENDERS))
        results["throughput"] = thr
        results["cpu"] = cpu
        log("NOOP round trips")
        results["noop"] = {c: noop_rtt(c) for c in ["direct", "socat", "ferry-plain", "ferry-tls"]}
        log("session setup")
        results["setup"] = {c: session_setup(c) for c in ["direct", "socat", "ferry-plain", "ferry-tls"]}
        log("many small files (lftp mirror both ways)")
        results["small"] = perf_rows.small_files()
        log(f"{CONCURRENT} concurrent transfers")
        results["concurrency"] = {c: concurrency(c) for c in ["ferry-tls", "ferry-plain", "direct"]}
        log(f"{IDLE} idle sessions")
        results["scale"] = scale()
        log("long link")
        results["long"] = long_link()
    finally:
        stop_all()
    results["load"].append(os.getloadavg())
    write_report(results)


def run_only(only, results):
    """Just the rows named (cold, small, setup): only the contenders they need; RESULTS-only.md."""
    try:
        vsftpd("vsftpd-socat", 2101, ["pasv_address=127.0.0.7", "pasv_min_port=2300", "pasv_max_port=2309"])
        setup_socat()
        if "cold" in only:
            log("cold start (fresh relay and agent, no warm-up)")
            results["cold"] = perf_rows.cold_start()
        if "small" in only or "setup" in only:
            tls = setup_ferry("ferry-tls", "127.0.0.5", 2200, 7950, "41000-41999", False, None)
            add_tunnel("ferry-tls", tls, "tls.bench.test", 2200, f"{SERVER}:2100", "127.0.0.1:7950")
            plain = setup_ferry("ferry-plain", "127.0.0.12", 2201, 7951, "42000-42999", True, None)
            add_tunnel("ferry-plain", plain, "plain.bench.test", 2201, f"{SERVER}:2100", "127.0.0.1:7951")
            for c in ["direct", "socat", "ferry-plain", "ferry-tls"]:
                wait_port(*ENDPOINTS[c])
                retr(c, "ten.bin")
        if "small" in only:
            log("many small files (lftp mirror both ways)")
            results["small"] = perf_rows.small_files()
        if "setup" in only:
            log("session setup")
            results["setup"] = {c: session_setup(c) for c in ["direct", "socat", "ferry-plain", "ferry-tls"]}
    finally:
        stop_all()
    results["load"].append(os.getloadavg())
    lines, goals = perf_rows.report(results)
    head = ["# Benchmark results (partial run)", "", f"- date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
            f"- machine: {machine()}",
            "- load average (1, 5, 15 min) before the run: {} and after it: {}".format(
                *(" / ".join(f"{x:.2f}" for x in load) for load in results["load"])),
            f"- command: `bench/run.sh --only {','.join(only)}`"]
    if "setup" in results:
        head += ["", "## Session setup (µs): connect → 220, and EPSV → data connection open", "",
                 "| contender | 220 p50 | 220 p99 | data p50 | data p99 |", "|---|---|---|---|---|"]
        head += [f"| {c} | {v[0]:.0f} | {v[1]:.0f} | {v[2]:.0f} | {v[3]:.0f} |" for c, v in results["setup"].items()]
    text = "\n".join(head + lines + ["", "## Ratios against the targets", "", "| target | measured | goal | met |",
                                     "|---|---|---|---|"] + [f"| {n} | {v} | {g} | {'—' if ok is None else 'yes' if ok else 'NO'} |"
                                                            for n, v, g, ok in goals]) + "\n"
    with open(os.path.join(HERE, "RESULTS-only.md"), "w") as f:
        f.write(text)
    print(text)


def machine():
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    jdk = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return f"{os.cpu_count()} cores, {int(mem) // 1024 // 1024} GiB, {jdk}, Linux {platform.release()}"


def write_report(r):
    thr = r["throughput"]
    med = {c: {k: statistics.median(v) for k, v in thr[c].items()} for c in thr}
    lines = [f"# Benchmark results", "",
             f"- date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
             f"- machine: {machine()}",
             "- load average (1, 5, 15 min) before the run: {} and after it: {} (the run itself loads the machine)"
             .format(*(" / ".join(f"{x:.2f}" for x in load) for load in r["load"])),
             f"- command: `bench/run.sh` (BENCH_ROUNDS={ROUNDS} BENCH_SIZE_MIB={SIZE_MIB} BENCH_NOOPS={NOOPS} "
             f"BENCH_IDLE_SESSIONS={IDLE} BENCH_CONCURRENT={CONCURRENT} BENCH_LONG_MIB={LONG_MIB})",
             "", f"## Throughput, {SIZE_MIB} MiB file, MiB/s: median (min–max) of {ROUNDS} alternating rounds", "",
             "| contender | RETR | STOR |", "|---|---|---|"]
    for c in CONTENDERS:
        if c not in FTPS:
            lines.append(f"| {c} | {fmt(thr[c]['retr'])} | {fmt(thr[c]['stor'])} |")
    lines += ["", f"FTPS, PROT P (`curl --ssl-reqd`), {SIZE_MIB} MiB, MiB/s, same rounds:", "",
              "| contender | path | RETR | STOR |", "|---|---|---|---|"]
    paths = {"ftps-direct": "curl ↔ vsftpd `ssl_enable`",
             "ftps-ssh": "curl ↔ sshd ═ ssh ↔ vsftpd `ssl_enable` (vsftpd's FTPS through the OpenSSH tunnel)",
             "ftps-ferry": "curl ↔ relay (FTPS ends here) ═ gRPC/TLS ═ agent ↔ plain vsftpd"}
    for c in FTPS:
        lines.append(f"| {c} | {paths[c]} | {fmt(thr[c]['retr'])} | {fmt(thr[c]['stor'])} |")
    lines += ["", "| FTPS ratio | RETR | STOR |", "|---|---|---|"]
    for other in ("ftps-ssh", "ftps-direct"):
        lines.append(f"| ftps-ferry / {other} | {med['ftps-ferry']['retr'] / med[other]['retr']:.2f} | "
                     f"{med['ftps-ferry']['stor'] / med[other]['stor']:.2f} |")
    lines += ["", "CPU seconds per GiB of RETR spent in the processes that carry the bytes (median; curl and vsftpd "
              "are the same for every contender):", "", "| contender | processes |", "|---|---|"]
    for c in CONTENDERS:
        samples = [s for s in r["cpu"][c] if s]
        if samples:
            parts = ", ".join(f"{k} {statistics.median(s[k] for s in samples):.2f}" for k in samples[0])
            lines.append(f"| {c} | {parts} |")
    noop = r["noop"]
    setup = r["setup"]
    conc = r["concurrency"]
    sc = r["scale"]
    plain_long, ferry_long = r["long"]
    lines += ["", "## Control round trip: 10,000 NOOPs (µs)", "", "| contender | p50 | p99 |", "|---|---|---|"]
    lines += [f"| {c} | {v[0]:.0f} | {v[1]:.0f} |" for c, v in noop.items()]
    lines += ["", "## Session setup (µs): connect → 220, and EPSV → data connection open", "",
              "| contender | 220 p50 | 220 p99 | data p50 | data p99 |", "|---|---|---|---|---|"]
    lines += [f"| {c} | {v[0]:.0f} | {v[1]:.0f} | {v[2]:.0f} | {v[3]:.0f} |" for c, v in setup.items()]
    lines += ["", f"## {CONCURRENT} simultaneous 10 MiB downloads", "",
              "| contender | aggregate MiB/s | slowest MiB/s | mean MiB/s | slowest / mean |", "|---|---|---|---|---|"]
    lines += [f"| {c} | {v[0]:.0f} | {v[1]:.1f} | {v[2]:.1f} | {v[1] / v[2]:.2f} |" for c, v in conc.items()]
    lines += ["", f"## {sc['sessions']:,} idle logged-in sessions through one relay and one agent (Ferry --insecure)", "",
              f"- opened and logged in: {sc['open_s']:.1f} s",
              f"- relay: {sc['relay_heap']:.1f} KiB heap and {sc['relay_rss']:.1f} KiB RSS per session",
              f"- agent: {sc['agent_heap']:.1f} KiB heap and {sc['agent_rss']:.1f} KiB RSS per session",
              f"- a new login while they are held: p50 {sc['login_p50']:.1f} ms, max {sc['login_max']:.1f} ms (20 logins)",
              "- upstream: bench/idle_upstream.py (vsftpd forks a process per session; that would measure vsftpd)",
              "", f"## Long link: 50 ms round trip (bench/delay_proxy.py, 25 ms each way), {LONG_MIB} MiB", "",
              f"- plain TCP stream through the proxy: {plain_long:.0f} MiB/s", "",
              "| Ferry (TLS, agent ↔ relay through the proxy) | first byte to last | whole curl session | "
              "data phase / plain |", "|---|---|---|---|"]
    lines += [f"| relay `--link-window {w}` | {d:.0f} MiB/s | {s:.0f} MiB/s | {d / plain_long:.2f} |"
              for w, (s, d) in ferry_long.items()]
    lines += ["", "Measured, a download moves a little under half a window per round trip, "
              "so 16 MiB carries ~140 MiB/s at 50 ms; the whole session also pays a round trip per FTP command.",
              "", "## Ratios against the targets", "", "| target | measured | goal | met |", "|---|---|---|---|"]

    def row(name, value, goal, ok):
        lines.append(f"| {name} | {value} | {goal} | {'—' if ok is None else 'yes' if ok else 'NO'} |")

    for op in ("retr", "stor"):
        v = med["ferry-plain"][op] / med["socat"][op]
        row(f"{op.upper()} ferry --insecure / socat hops", f"{v:.2f}", "≥ 0.9", v >= 0.9)
        v = med["ferry-tls"][op] / med["ssh"][op]
        row(f"{op.upper()} ferry TLS / OpenSSH tunnel", f"{v:.2f}", "≥ 1.2", v >= 1.2)
    v = noop["ferry-plain"][0] / noop["socat"][0]
    for op in ("retr", "stor"):
        v = med["ftps-ferry"][op] / med["ftps-ssh"][op]
        row(f"FTPS PROT P {op.upper()} ftps-ferry / ftps-ssh", f"{v:.2f}", "≥ 1.2", v >= 1.2)
    extra_lines, extra_goals = perf_rows.report(r)
    for name, value, goal, ok in extra_goals:
        row(name, value, goal, ok)
    row("NOOP p50 ferry / socat", f"{v:.2f}", "≤ 1.5", v <= 1.5)
    row("relay heap per idle session", f"{sc['relay_heap']:.1f} KiB", "≤ 16 KiB", sc["relay_heap"] <= 16)
    row("new login with 10k idle", f"{sc['login_max']:.0f} ms (max)", "< 100 ms", sc["login_max"] < 100)
    for w, (_, d) in ferry_long.items():
        v = d / plain_long
        row(f"long link ferry / plain, data phase, --link-window {w}", f"{v:.2f}", "≥ 0.8", v >= 0.8)
    v = conc["ferry-tls"][1] / conc["ferry-tls"][2]
    row("fairness: slowest / mean of 100", f"{v:.2f}", "≥ 0.5", v >= 0.5)
    at = lines.index("## Ratios against the targets") - 1
    lines[at:at] = extra_lines
    text = "\n".join(lines) + "\n"
    with open(os.path.join(HERE, "RESULTS.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
