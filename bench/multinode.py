#!/usr/bin/env python3
"""Several relay nodes: how long an agent takes to link to a node that joins the relay name, and what
1,000 tunnels' agents (each linked to every node) cost each node. Writes bench/MULTINODE-RESULTS.md.

  python3 bench/multinode.py [--agents 1000] [--rounds 10] [--out bench/MULTINODE-RESULTS.md]
                             [--relay-jar J --agent-jar J]   (copies, so a rebuild cannot change them mid-run)

Needs the jars (mvn -o -q -pl relay-server,relay-agent -am package -DskipTests) and jcmd. Relay
nodes run on 127.0.0.21-23 (ferry-relay serve, each with its own data dir holding copies of node 1's
tunnels and certificate: the file store), the relay name is a hosts file given to the agents' JVM
with -Djdk.net.hosts.file (the system resolver, as with /etc/hosts or DNS).

1. Join time, one real ferry-agent process: node 3 is taken out of the name and put back, --rounds
   times, with --relay-refresh 1s and with the default 5s; the time from the hosts file naming node 3
   again to node 3 logging the agent's link.
2. 1,000 tunnels: --agents agents simulated in one JVM (bench/multinode/SimulatedAgents.java: the
   agent's own NodeLinks / NodeLink / AgentLinkClient per tunnel, one TLS channel per node, shared
   event loops). Each node's RSS and heap after a full GC before and after they all link, the number
   of agent links each node holds (its log, and established TCP connections on its agent port), and
   the time until all of them link to node 3 once it joins the name.
Everything it starts is stopped at the end.
"""
import argparse
import base64
import hashlib
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

from run import heap_used_kib, rss_kib  # noqa: E402  (the main benchmark's memory probes)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELAY_JAR = os.path.join(ROOT, "relay-server/target/ferry-relay.jar")
AGENT_JAR = os.path.join(ROOT, "relay-agent/target/ferry-agent.jar")
SIMULATOR = os.path.join(ROOT, "bench/multinode/SimulatedAgents.java")
NAME = "relays.bench.test"
WORK = "/tmp/ferry-bench-multinode"
procs = []


def log(msg):
    print(f"[multinode {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def ip(node):
    return f"127.0.0.2{node}"


def free_port(hosts):
    import socket
    for _ in range(50):
        with socket.socket() as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
        ok = True
        for h in hosts[1:]:
            with socket.socket() as s:
                try:
                    s.bind((h, port))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no port free on every node address")


def start(name, cmd, logfile):
    out = open(logfile, "ab")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    procs.append((name, p))
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def write_hosts(path, nodes):
    with open(path, "w") as f:
        f.write("".join(f"{ip(n)} {NAME}\n" for n in nodes))


def established(host, port):
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"], capture_output=True,
                         text=True).stdout
    # the relay's socket is dual-stack: its address may read [::ffff:127.0.0.21]:PORT
    return sum(1 for line in out.splitlines()
               if re.search(rf"(^|\s|\[|:){re.escape(host)}\]?:{port}\s", line + " "))


class Cluster:
    def __init__(self, work, agent_port, ftp_port):
        self.work, self.agent_port, self.ftp_port = work, agent_port, ftp_port
        self.nodes = {}

    def data(self, n):
        return os.path.join(self.work, f"node{n}")

    def logfile(self, n):
        return os.path.join(self.work, f"node{n}.log")

    def start(self, n):
        before = read(self.logfile(n)).count("listening for agents")
        self.nodes[n] = start(f"node{n}", ["java", "-Xmx512m", "-jar", RELAY_JAR, "serve", "--data-dir", self.data(n),
                                           "--public-address", ip(n), "--bind", ip(n),
                                           "--agent-listen", f"{ip(n)}:{self.agent_port}",
                                           "--ftp-listen", f"{ip(n)}:{self.ftp_port}",
                                           "--passive-ports", "41000-41099"], self.logfile(n))
        wait_for(lambda: read(self.logfile(n)).count("listening for agents") > before, 60, f"node {n}")

    def copy_registry(self, n):
        os.makedirs(os.path.join(self.data(n), "tunnels"), exist_ok=True)
        for f in ("relay-cert.pem", "relay-key.pem"):
            shutil.copy2(os.path.join(self.data(1), f), os.path.join(self.data(n), f))
        for f in os.listdir(os.path.join(self.data(1), "tunnels")):
            shutil.copy2(os.path.join(self.data(1), "tunnels", f), os.path.join(self.data(n), "tunnels", f))

    def links(self, n, tunnel=None):
        text = read(self.logfile(n))
        return text.count(f"tunnel {tunnel}: agent connected from") if tunnel else text.count(": agent connected from")

    def pin(self):
        text = read(os.path.join(self.data(1), "relay.properties"))
        return re.search(r"pin=(\S+)", text).group(1).replace("\\:", ":")


def add_tunnels(data, count):
    """Tunnel files as `tunnel add` writes them (shared port only: a thousand dedicated ports would be a
    thousand listeners per node, which is not what is measured here); returns the tokens."""
    tunnels = os.path.join(data, "tunnels")
    os.makedirs(tunnels, exist_ok=True)
    tokens = []
    for i in range(count):
        token = "ferry_" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        name = f"t{i}.bench.test"
        with open(os.path.join(tunnels, f"{name}.tunnel"), "w") as f:
            f.write(f"name={name}\nftpPort=0\ntokenSha256={hashlib.sha256(token.encode()).hexdigest()}\n"
                    "requireTls=false\nrequireTlsReuse=false\n")
        tokens.append(token)
    return tokens


def join_rounds(cluster, hosts, token, refresh, rounds):
    """Seconds from the hosts file naming node 3 again to node 3 logging the real agent's link."""
    agent_log = os.path.join(cluster.work, f"agent-{refresh}.log")
    write_hosts(hosts, [1, 2, 3])
    tunnel = "t0.bench.test"
    refresh_seconds = float(refresh[:-1]) if refresh else 5.0
    linked_before = {n: cluster.links(n, tunnel) for n in (1, 2, 3)}
    agent = start("agent", ["java", f"-Djdk.net.hosts.file={hosts}", "-jar", AGENT_JAR,
                            "--relay", f"{NAME}:{cluster.agent_port}", "--token", token, "--pin", cluster.pin(),
                            "--upstream", "127.0.0.26:21", *(["--relay-refresh", refresh] if refresh else [])],
                  agent_log)
    try:
        for n in (1, 2, 3):
            wait_for(lambda: cluster.links(n, tunnel) > linked_before[n], 60, f"the agent's link to node {n}")
        times = []
        for _ in range(rounds):
            gone = read(cluster.logfile(3)).count(f"tunnel {tunnel}: agent from")
            write_hosts(hosts, [1, 2])
            wait_for(lambda: read(cluster.logfile(3)).count(f"tunnel {tunnel}: agent from") > gone, 60,
                     "node 3 to see the link closed")
            before = cluster.links(3, tunnel)
            # at a random point of the agent's refresh cycle, so the times are not locked to its phase
            time.sleep(random.uniform(0.2, 0.2 + refresh_seconds))
            named = time.time()
            write_hosts(hosts, [1, 2, 3])
            wait_for(lambda: cluster.links(3, tunnel) > before, 60, "the agent to link to node 3 again")
            times.append(time.time() - named)
        return times
    finally:
        stop(agent)


def sim_linked(sim_log):
    """The simulating JVM's own count of live links (its last "linked N" line)."""
    found = re.findall(r"(?m)^linked (\d+)$", read(sim_log))
    return int(found[-1]) if found else 0


def simulated(cluster, hosts, tokens, ramp):
    tokens_file = os.path.join(cluster.work, "tokens.txt")
    with open(tokens_file, "w") as f:
        f.write("\n".join(tokens[1:]) + "\n")  # t0 is the real agent's
    n = len(tokens) - 1
    write_hosts(hosts, [1, 2])
    before = {k: (rss_kib(p.pid), heap_used_kib(p.pid)) for k, p in cluster.nodes.items()}
    sim_log = os.path.join(cluster.work, "simulated.log")
    started = time.time()
    sim = start("simulated", ["java", "-Xmx1g", f"-Djdk.net.hosts.file={hosts}", "-cp", AGENT_JAR, SIMULATOR,
                              f"{NAME}:{cluster.agent_port}", cluster.pin(), tokens_file, "127.0.0.26:21", "1000",
                              str(ramp)],
                sim_log)
    try:
        links_before = {k: cluster.links(k) for k in (1, 2, 3)}
        def linked():
            if sim.poll() is not None:
                raise RuntimeError(f"the simulated agents exited: {read(sim_log)[-2000:]}")
            return sim_linked(sim_log) >= 2 * n
        wait_for(linked, 600, f"{n} agents linked to nodes 1 and 2")
        all_linked = time.time() - started
        time.sleep(5)
        after = {k: (rss_kib(p.pid), heap_used_kib(p.pid)) for k, p in cluster.nodes.items()}
        held = {k: established(ip(k), cluster.agent_port) for k in (1, 2, 3)}
        base3 = cluster.links(3)
        named = time.time()
        write_hosts(hosts, [1, 2, 3])
        marks = {}
        deadline = time.time() + 600
        while time.time() < deadline:
            got = min(cluster.links(3) - base3, max(0, sim_linked(sim_log) - 2 * n))
            for frac in (0.01, 0.5, 0.99, 1.0):
                if frac not in marks and got >= max(1, int(n * frac)):
                    marks[frac] = time.time() - named
            if len(marks) == 4:
                break
            time.sleep(0.05)
        wait_for(lambda: sim_linked(sim_log) >= 3 * n, 300, f"{n} agents linked to all three nodes")
        time.sleep(5)
        after3 = (rss_kib(cluster.nodes[3].pid), heap_used_kib(cluster.nodes[3].pid))
        held3 = established(ip(3), cluster.agent_port)
        sim_rss = rss_kib(sim.pid)
        return dict(n=n, before=before, after=after, held=held, all_linked=all_linked, marks=marks, after3=after3,
                    held3=held3, sim_rss=sim_rss, links_log={k: cluster.links(k) - links_before[k] for k in (1, 2, 3)})
    finally:
        stop(sim)


def main():
    global RELAY_JAR, AGENT_JAR
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--ramp", type=int, default=100, help="simulated agents started per second")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/MULTINODE-RESULTS.md"))
    ap.add_argument("--relay-jar", default=RELAY_JAR)
    ap.add_argument("--agent-jar", default=AGENT_JAR)
    args = ap.parse_args()
    RELAY_JAR, AGENT_JAR = args.relay_jar, args.agent_jar
    for jar in (RELAY_JAR, AGENT_JAR):
        if not os.path.exists(jar):
            print(f"multinode: {jar} is missing: mvn -o -q -pl relay-server,relay-agent -am package -DskipTests",
                  file=sys.stderr)
            return 2
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    hosts = os.path.join(WORK, "hosts")
    nodes = [ip(n) for n in (1, 2, 3)]
    cluster = Cluster(WORK, free_port(nodes), free_port(nodes))
    load_before = os.getloadavg()
    try:
        tokens = add_tunnels(cluster.data(1), args.agents + 1)
        cluster.start(1)
        for n in (2, 3):
            cluster.copy_registry(n)
            cluster.start(n)
        log(f"three nodes up with {len(tokens)} tunnels each")
        join = {}
        for refresh in ("1s", None):
            join[refresh or "5s (default)"] = join_rounds(cluster, hosts, tokens[0], refresh, args.rounds)
            log(f"join times with --relay-refresh {refresh or 'default'}: {join[refresh or '5s (default)']}")
        sim = simulated(cluster, hosts, tokens, args.ramp)
        log(f"simulated agents: {sim}")
    finally:
        for _, p in reversed(procs):
            stop(p)
    report(args, join, sim, load_before, os.getloadavg())
    return 0


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def report(args, join, sim, load_before, load_after):
    n = sim["n"]
    lines = ["# Several relay nodes: agent links", "",
             f"`python3 bench/multinode.py --agents {args.agents} --rounds {args.rounds}` on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average before {load_before[0]:.1f}, "
             f"after {load_after[0]:.1f} (2 cores, shared with other work: times are upper bounds).", "",
             "## Time for an agent to link to a node that joins the relay name", "",
             "One `ferry-agent` process linked to nodes 1-3; node 3 taken out of the name (the agent closes "
             "its link) and put back, "
             f"{args.rounds} times. Measured from the hosts file naming node 3 again to node 3 logging the link.", "",
             "| --relay-refresh | median | max | all |", "|---|---|---|---|"]
    for refresh, times in join.items():
        lines.append(f"| {refresh} | {statistics.median(times):.2f} s | {max(times):.2f} s | "
                     + ", ".join(f"{t:.2f}" for t in times) + " |")
    lines += ["", "The bound is the refresh interval (the name is looked up again that often; the agent's "
              "JVM caches a name for 1 s) plus one TLS handshake and the hello/welcome.", "",
              f"## {n} tunnels, {n} agents, each linked to every node", "",
              f"{n} agents simulated in one JVM (`bench/multinode/SimulatedAgents.java`: the agent's own NodeLinks, "
              "NodeLink and AgentLinkClient per tunnel, one TLS channel per node; shared event loops). "
              f"Tunnels on the shared port only. The agents start {args.ramp} per second; all {n} linked to nodes 1 "
              f"and 2 {sim['all_linked']:.1f} s after the simulating JVM started.", "",
              "| node | agent links logged (incl. reconnects) | established TCP on the agent port | RSS before → after | "
              "heap after full GC before → after | per link (RSS, heap) |", "|---|---|---|---|---|---|"]
    for k in (1, 2):
        (rb, hb), (ra, ha) = sim["before"][k], sim["after"][k]
        links = sim["links_log"][k]
        held = sim['held'][k]
        lines.append(f"| {k} | {links} | {held} | {mib(rb)} → {mib(ra)} | {mib(hb)} → {mib(ha)} | "
                     f"{(ra - rb) / max(1, held):.1f} KiB, {(ha - hb) / max(1, held):.1f} KiB |")
    (rb, hb), (ra, ha) = sim["before"][3], sim["after3"]
    links3 = sim["links_log"][3]
    held3 = sim['held3']
    lines.append(f"| 3 (joined) | {links3} | {held3} | {mib(rb)} → {mib(ra)} | {mib(hb)} → {mib(ha)} | "
                 f"{(ra - rb) / max(1, held3):.1f} KiB, {(ha - hb) / max(1, held3):.1f} KiB |")
    marks = sim["marks"]
    lines += ["", f"Node 3 joining the name (refresh 1 s) with {n} agents running: first link after "
              f"{marks.get(0.01, float('nan')):.1f} s, half after {marks.get(0.5, float('nan')):.1f} s, 99 % after "
              f"{marks.get(0.99, float('nan')):.1f} s, all after {marks.get(1.0, float('nan')):.1f} s "
              f"(every agent dials and completes a TLS handshake at once). The simulating JVM's RSS: "
              f"{mib(sim['sim_rss'])} for {n * 3} links.", "",
              "Each agent holds one link per node: once settled, the established connections per node equal the "
              "number of agents (the logged count also holds reconnects after welcome timeouts while the machine "
              "was overloaded)."]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
