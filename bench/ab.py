#!/usr/bin/env python3
"""Same-run A/B of two Ferry configurations: a TLS and a plaintext relay+agent pair for each of A and
B, alternated A B A B ... in every round, RETR and STOR of the 1 GiB file, plus the relay's CPU
seconds per GiB of RETR. For trying a lever before believing it: on a shared 2-core machine the
run-to-run drift is larger than most levers.

  A_OPTS / B_OPTS   JVM options for A's / B's relay and agent (e.g. B_OPTS=-Dio.netty.allocator.type=pooled)
  A_ARGS / B_ARGS   extra relay flags (e.g. B_ARGS="--link-window 1MiB")
  BENCH_ROUNDS      rounds (default 6); BENCH_SIZE_MIB as for run.py

Run as root after bench/run.sh has installed the dependencies: python3 bench/ab.py
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as b  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
SIDES = {"A": (os.environ.get("A_OPTS", "").split(), os.environ.get("A_ARGS", "").split()),
         "B": (os.environ.get("B_OPTS", "").split(), os.environ.get("B_ARGS", "").split())}

_start = b.start


def start(name, cmd, **kw):
    """Puts the side's JVM options in front of its relay's and agent's -jar."""
    side = name.split("-")[1] if name.count("-") >= 2 else None
    if cmd[0] == "java" and side in SIDES:
        cmd = ["java", *SIDES[side][0], *cmd[1:]]
    return _start(name, cmd, **kw)


def main():
    b.start = start
    os.makedirs(b.WORK, exist_ok=True)
    names = []
    try:
        b.setup_files()
        b.vsftpd("vsftpd-direct", 2100, [])
        for i, (kind, side) in enumerate([("tls", "A"), ("tls", "B"), ("plain", "A"), ("plain", "B")]):
            name, bind, port = f"{kind}-{side}", f"127.0.0.{30 + i}", 2230 + i
            data = b.setup_ferry(name, bind, port, 7980 + i, f"{45000 + 100 * i}-{45099 + 100 * i}",
                                 kind == "plain", None, extra=tuple(SIDES[side][1]))
            b.add_tunnel(name, data, f"{name.lower()}.bench.test", port, f"{b.SERVER}:2100", f"127.0.0.1:{7980 + i}")
            b.wait_port(bind, port)
            b.ENDPOINTS[name] = (bind, port)
            names.append(name)
        for _ in range(3):  # warm-up
            for c in names:
                b.retr(c)
                b.stor(c)
        res = {c: {"retr": [], "stor": [], "cpu": []} for c in names}
        for r in range(ROUNDS):
            for c in names:
                before = b.cpu_seconds(f"{c}-data")
                res[c]["retr"].append(b.retr(c))
                res[c]["cpu"].append((b.cpu_seconds(f"{c}-data") - before) / (b.SIZE_MIB / 1024))
                res[c]["stor"].append(b.stor(c))
            b.log(f"round {r + 1}/{ROUNDS}: " + ", ".join(
                f"{c} {res[c]['retr'][-1]:.0f}/{res[c]['stor'][-1]:.0f}" for c in names))
    finally:
        b.stop_all()
    print(f"A: {' '.join(SIDES['A'][0] + SIDES['A'][1]) or '(defaults)'}")
    print(f"B: {' '.join(SIDES['B'][0] + SIDES['B'][1]) or '(defaults)'}")
    print("| pair | RETR MiB/s | STOR MiB/s | relay CPU s per GiB of RETR |\n|---|---|---|---|")
    for c in names:
        print(f"| {c} | {statistics.median(res[c]['retr']):.0f} | {statistics.median(res[c]['stor']):.0f} | "
              f"{statistics.median(res[c]['cpu']):.2f} |")


if __name__ == "__main__":
    main()
