#!/usr/bin/env python3
"""Cold-start levers, tried side by side: for each variant a fresh relay + agent (--insecure) is started,
downloads BENCH_COLD_DOWNLOADS x BENCH_COLD_MIB MiB with no warm-up, and is stopped; variants alternate,
BENCH_ROUNDS rounds. Reports per variant the median first download, first 1 GiB and warmed-up rate.

  VARIANTS   ";"-separated, each "name=JVM options" (e.g. "none=;c1=-XX:TieredStopAtLevel=1");
             the default compares no options with deploy/jvm.options

Run as root after bench/run.sh has installed the dependencies: python3 bench/cold_ab.py
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as b  # noqa: E402
import perf_rows  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def variants():
    spec = os.environ.get("VARIANTS", f"none=;launcher=@{b.JVM_OPTIONS}")
    out = []
    for part in spec.split(";"):
        name, _, opts = part.partition("=")
        out.append((name.strip(), opts.split()))
    return out


def main():
    os.makedirs(b.WORK, exist_ok=True)
    load = [os.getloadavg()]
    res = {name: [] for name, _ in variants()}
    try:
        b.setup_files()
        perf_rows.setup_files()
        b.vsftpd("vsftpd-direct", 2100, [])
        for r in range(ROUNDS):
            for i, (name, opts) in enumerate(variants()):
                b.JAVA = ["java", *opts]
                before = list(b.procs)
                row = perf_rows.cold_pair(f"cold-{name}-{r}", f"127.0.0.{40 + i}", 2240 + i, 7990 + i,
                                          f"{46000 + 100 * i}-{46099 + 100 * i}")
                res[name].append(row)
                for n, p in [x for x in b.procs if x not in before]:
                    p.terminate()
                    p.wait(10)
                b.procs[:] = before
                b.log(f"round {r + 1} {name}: first {row['first']:.0f}, first GiB {row['first_gib']:.0f}, "
                      f"warm {row['warm']:.0f}: " + " ".join(f"{x:.0f}" for x in row["all"]))
    finally:
        b.stop_all()
    load.append(os.getloadavg())
    print(f"load before {load[0]}, after {load[1]}")
    print("| variant | JVM options | first download | first 1 GiB | warmed up | first / warm |")
    print("|---|---|---|---|---|---|")
    for name, opts in variants():
        rows = res[name]
        med = {k: statistics.median(x[k] for x in rows) for k in ("first", "first_gib", "warm")}
        ratio = statistics.median(x["first"] / x["warm"] for x in rows)
        print(f"| {name} | `{' '.join(opts)}` | {med['first']:.0f} | {med['first_gib']:.0f} | {med['warm']:.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
