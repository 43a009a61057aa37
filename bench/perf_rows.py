"""Benchmark rows of issue 11, run by run.py (and alone with `bench/run.sh --only cold,small,setup`).

cold start   fresh processes: a new relay + agent (the launchers' JVM options, deploy/jvm.options) and the
             socat hops, nothing warmed; COLD_DOWNLOADS downloads of a COLD_MIB file alternated Ferry, socat.
             Reports the first download (the first 256 MiB), the first 1 GiB (its wall time over the
             first downloads), and the warmed-up rate (median of the last four).
small files  lftp `mirror` of SMALL_FILES files of SMALL_KIB KiB down, then `mirror -R` up, one session each,
             direct vs socat vs Ferry (plain and TLS); wall time of the lftp process, median of rounds.
The setup row (connect -> 220) is run.py's session_setup; its ratio is reported with the goals.
"""
import os
import shutil
import statistics
import subprocess
import time

import run as b

COLD_MIB = int(os.environ.get("BENCH_COLD_MIB", "256"))
COLD_DOWNLOADS = int(os.environ.get("BENCH_COLD_DOWNLOADS", "16"))
SMALL_FILES = int(os.environ.get("BENCH_SMALL_FILES", "200"))
SMALL_KIB = int(os.environ.get("BENCH_SMALL_KIB", "64"))
SMALL_ROUNDS = int(os.environ.get("BENCH_SMALL_ROUNDS", "3"))
SMALL_CONTENDERS = ["direct", "socat", "ferry-plain", "ferry-tls"]


def setup_files():
    path = os.path.join(b.WORK, "root", "cold.bin")
    if not os.path.exists(path) or os.path.getsize(path) != COLD_MIB << 20:
        with open(path, "wb") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(COLD_MIB):
                f.write(chunk)
        os.chmod(path, 0o644)
    small = os.path.join(b.WORK, "root", "small")
    if not os.path.isdir(small) or len(os.listdir(small)) != SMALL_FILES:
        shutil.rmtree(small, ignore_errors=True)
        os.makedirs(small)
        for i in range(SMALL_FILES):
            with open(os.path.join(small, f"photo-{i:04d}.jpg"), "wb") as f:
                f.write(os.urandom(SMALL_KIB << 10))
        os.chmod(small, 0o755)


def timed_retr(contender, name):
    """(MiB/s, seconds) of one download, from curl's own clock."""
    host, port = b.ENDPOINTS[contender]
    p = subprocess.run(["curl", "-s", "-S", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                        f"ftp://{host}:{port}/{name}"], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"curl {contender} {name}: {p.stderr.strip()}")
    size, total = (float(x) for x in p.stdout.split())
    return size / total / (1 << 20), total


def cold_start():
    """Fresh relay + agent (plain link) and fresh socat hops; downloads alternated, no warm-up of any kind."""
    return cold_pair("cold", "127.0.0.14", 2205, 7955, "43500-43599", with_socat=True)


def cold_pair(name, bind, port, agent_port, passive, with_socat=False):
    data = b.setup_ferry(name, bind, port, agent_port, passive, True, None)
    b.add_tunnel(name, data, f"{name}.bench.test", port, f"{b.SERVER}:2100", f"127.0.0.1:{agent_port}")
    b.wait_listening(port)  # a probe connection would be the session that warms the relay
    b.ENDPOINTS[name] = (bind, port)
    rows = {name: []}
    if with_socat:
        rows["socat"] = []
    for _ in range(COLD_DOWNLOADS):
        for c in rows:
            rows[c].append(timed_retr(c, "cold.bin"))
    per_gib = max(1, 1024 // COLD_MIB)

    def summary(r):
        first_gib = per_gib * COLD_MIB / sum(t for _, t in r[:per_gib])
        return {"first": r[0][0], "first_gib": first_gib, "warm": statistics.median(s for s, _ in r[-4:]),
                "all": [s for s, _ in r]}

    if not with_socat:
        return summary(rows[name])
    b.log("cold start: " + "; ".join(f"{c} " + " ".join(f"{s:.0f}" for s, _ in r) for c, r in rows.items()))
    return {"ferry": summary(rows[name]), "socat": summary(rows["socat"])}


def lftp(contender, script):
    host, port = b.ENDPOINTS[contender]
    cmd = ["lftp", "-c", "set net:max-retries 1; set net:timeout 30; set ftp:ssl-allow no; set cmd:fail-exit yes; "
           f"open -u anonymous,bench@example.net -p {port} {host}; {script}"]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"lftp {contender} {script}: {p.stderr.strip()[-500:]}")
    return took


def small_files():
    """Seconds for mirror down and mirror -R up of the small files, median of SMALL_ROUNDS alternating rounds."""
    local = os.path.join(b.WORK, "small-local")
    res = {c: {"down": [], "up": []} for c in SMALL_CONTENDERS}
    for _ in range(SMALL_ROUNDS):
        for c in SMALL_CONTENDERS:
            shutil.rmtree(local, ignore_errors=True)
            res[c]["down"].append(lftp(c, f"mirror --no-perms small {local}"))
            got = sorted(os.listdir(local))
            if len(got) != SMALL_FILES:
                raise RuntimeError(f"{c}: mirror fetched {len(got)} of {SMALL_FILES} files")
            remote = os.path.join(b.WORK, "root", "incoming", f"small-{c}")
            shutil.rmtree(remote, ignore_errors=True)
            os.makedirs(remote)
            os.chmod(remote, 0o777)  # vsftpd's anonymous users may upload, not make directories
            res[c]["up"].append(lftp(c, f"mirror -R --no-perms {local} incoming/small-{c}"))
            if len(os.listdir(remote)) != SMALL_FILES:
                raise RuntimeError(f"{c}: mirror -R stored {len(os.listdir(remote))} of {SMALL_FILES} files")
            shutil.rmtree(remote, ignore_errors=True)
    shutil.rmtree(local, ignore_errors=True)
    b.log("small files: " + "; ".join(f"{c} " + " / ".join(f"{statistics.median(v[k]):.2f}" for k in ("down", "up"))
                                      for c, v in res.items()))
    return res


def report(r):
    """Markdown sections and goal rows (name, measured, goal, met) for what was measured."""
    lines, goals = [], []
    if "cold" in r:
        f, s = r["cold"]["ferry"], r["cold"]["socat"]
        lines += ["", f"## Cold start: fresh relay + agent (--insecure) and fresh socat hops, {COLD_DOWNLOADS} downloads "
                  f"of {COLD_MIB} MiB alternated, no warm-up (MiB/s)", "",
                  "| contender | first download | first 1 GiB | warmed up (median of last 4) | every download |",
                  "|---|---|---|---|---|"]
        for c, v in (("ferry", f), ("socat hops", s)):
            lines.append(f"| {c} | {v['first']:.0f} | {v['first_gib']:.0f} | {v['warm']:.0f} | "
                         f"{' '.join(f'{x:.0f}' for x in v['all'])} |")
        lines += ["", "Profile (issue 11; `-XX:+PrintCompilation`, `-Xlog:gc`, bench/cold_ab.py): with C2 on, a fresh relay "
                  "and agent each compile ~4,200 methods and C2 is still compiling 30–90 methods per 5 s after 16 "
                  "downloads (level-2 compiles show its queue backed up) on two cores shared with the transfer; "
                  "G1 makes ~6 young pauses in the whole run (the data path's buffers are pooled), and classes are "
                  "loaded before the first transfer. C1 only (`-XX:TieredStopAtLevel=1`) lifts the first gigabyte but costs "
                  "16-23 % of the steady rate on a quiet machine, so `deploy/jvm.options` keeps the default (C1 then C2) "
                  "and names C1 only, commented out, for short-lived agents."]
        goals.append((f"cold: first {COLD_MIB} MiB / same pair warmed up", f"{f['first'] / f['warm']:.2f}", "≥ 0.8",
                      f["first"] / f["warm"] >= 0.8))
        goals.append(("cold: first 1 GiB ferry / socat hops", f"{f['first_gib'] / s['first_gib']:.2f}", "≥ 0.7",
                      f["first_gib"] / s["first_gib"] >= 0.7))
    if "small" in r:
        res = r["small"]
        med = {c: {k: statistics.median(v) for k, v in res[c].items()} for c in res}
        lines += ["", f"## Many small files: lftp mirror of {SMALL_FILES} × {SMALL_KIB} KiB, one session each way "
                  f"(seconds, median of {SMALL_ROUNDS} alternating rounds)", "",
                  "| contender | mirror (down) | mirror -R (up) | down / direct | up / direct |", "|---|---|---|---|---|"]
        for c in res:
            lines.append(f"| {c} | {med[c]['down']:.2f} | {med[c]['up']:.2f} | {med[c]['down'] / med['direct']['down']:.1f} | "
                         f"{med[c]['up'] / med['direct']['up']:.1f} |")
        lines += ["", "Lever (issue 11): the relay opens a passive data stream when it rewrites the 227/229 (the agent "
                  "connects to the server's passive port while the client connects to the relay's), instead of after "
                  "the client's connection. Each file still costs Ferry's EPSV, RETR/STOR and 226 round trips "
                  "through two JVMs and the agent link, where direct costs one process hop."]
        for k, what in (("down", "mirror"), ("up", "mirror -R")):
            v = med["ferry-plain"][k] / med["direct"][k]
            goals.append((f"small files, {what}: ferry --insecure / direct", f"{v:.1f}", "≤ 2", v <= 2))
            v = med["ferry-plain"][k] / med["socat"][k]
            goals.append((f"small files, {what}: ferry --insecure / socat hops", f"{v:.1f}", "(no goal)", None))
    if "setup" in r:
        st = r["setup"]
        v = st["ferry-plain"][0] / st["socat"][0]
        goals.append(("connect → 220 p50 ferry --insecure / socat hops", f"{v:.2f}", "≤ 1.2", v <= 1.2))
        v = st["ferry-tls"][0] / st["socat"][0]
        goals.append(("connect → 220 p50 ferry TLS link / socat hops", f"{v:.2f}", "≤ 1.2", v <= 1.2))
    return lines, goals
