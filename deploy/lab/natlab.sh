#!/usr/bin/env bash
# The NAT lab: a client and a relay on an "internet" segment, and a LAN host behind a NAT gateway
# that masquerades outbound traffic and drops every unsolicited inbound connection. TEST-NET
# addresses only; everything lives in network namespaces named ferry-*.
#
#   client  198.51.100.10 ─┐
#   relay   198.51.100.1  ─┼─ bridge (in ferry-inet) ─ 198.51.100.20 [ferry-nat] 192.0.2.1 ── 192.0.2.10 lan
#
# Usage: natlab.sh up | down | status
set -euo pipefail

NS=(ferry-inet ferry-client ferry-relay ferry-nat ferry-lan)

need_root() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "natlab: must run as root (it creates network namespaces and iptables rules)" >&2
    exit 2
  fi
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

up() {
  need_root
  for ns in "${NS[@]}"; do
    exists "$ns" || ip netns add "$ns"
    nsx "$ns" ip link set lo up
  done
  if ! nsx ferry-inet ip link show br0 >/dev/null 2>&1; then
    nsx ferry-inet ip link add br0 type bridge
    nsx ferry-inet ip link set br0 up
  fi
  # name  namespace     address            inet-side
  link ferry-client c0 198.51.100.10/24 c1
  link ferry-relay  r0 198.51.100.1/24  r1
  link ferry-nat    n0 198.51.100.20/24 n1
  if ! nsx ferry-nat ip link show l0 >/dev/null 2>&1; then
    ip link add l0 netns ferry-nat type veth peer name l1 netns ferry-lan
    nsx ferry-nat ip addr add 192.0.2.1/24 dev l0
    nsx ferry-lan ip addr add 192.0.2.10/24 dev l1
    nsx ferry-nat ip link set l0 up
    nsx ferry-lan ip link set l1 up
  fi
  nsx ferry-lan ip route replace default via 192.0.2.1
  # The client can even route to the LAN through the NAT's public side: the NAT must refuse it.
  nsx ferry-client ip route replace 192.0.2.0/24 via 198.51.100.20
  nsx ferry-nat sysctl -qw net.ipv4.ip_forward=1
  nsx ferry-nat iptables -F
  nsx ferry-nat iptables -t nat -F
  nsx ferry-nat iptables -P FORWARD DROP
  nsx ferry-nat iptables -A FORWARD -i l0 -o n0 -j ACCEPT
  nsx ferry-nat iptables -A FORWARD -i n0 -o l0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  nsx ferry-nat iptables -A INPUT -i n0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  nsx ferry-nat iptables -A INPUT -i n0 -p icmp -j ACCEPT
  nsx ferry-nat iptables -A INPUT -i n0 -j DROP
  nsx ferry-nat iptables -t nat -A POSTROUTING -o n0 -j MASQUERADE
  check
}

link() {
  local ns=$1 inside=$2 addr=$3 outside=$4
  if ! nsx "$ns" ip link show "$inside" >/dev/null 2>&1; then
    ip link add "$inside" netns "$ns" type veth peer name "$outside" netns ferry-inet
    nsx "$ns" ip addr add "$addr" dev "$inside"
    nsx "$ns" ip link set "$inside" up
    nsx ferry-inet ip link set "$outside" master br0
    nsx ferry-inet ip link set "$outside" up
  fi
}

# Proves the lab's premise: the LAN reaches the internet, the internet does not reach the LAN.
check() {
  local port=47999 pid ok=1
  ip netns exec ferry-relay timeout 8 socat -T 5 TCP-LISTEN:$port,bind=198.51.100.1,reuseaddr SYSTEM:'echo relay-ok' &
  pid=$!
  sleep 0.3
  if [[ $(nsx ferry-lan socat -T 3 - TCP:198.51.100.1:$port,connect-timeout=3 </dev/null 2>/dev/null) != relay-ok ]]; then
    echo "natlab: FAIL lan -> relay (198.51.100.1) does not work" >&2
    ok=0
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  ip netns exec ferry-lan timeout 8 socat -T 5 TCP-LISTEN:$port,bind=192.0.2.10,reuseaddr SYSTEM:'echo lan-ok' &
  pid=$!
  sleep 0.3
  if nsx ferry-client socat -T 2 - TCP:192.0.2.10:$port,connect-timeout=2 </dev/null 2>/dev/null | grep -q lan-ok; then
    echo "natlab: FAIL client reached 192.0.2.10 directly: the NAT lets unsolicited connections in" >&2
    ok=0
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ $ok -ne 1 ]]; then
    exit 1
  fi
  echo "natlab: up (lan -> relay works; client -> 192.0.2.10 is refused by the NAT)"
}

down() {
  need_root
  for ns in "${NS[@]}"; do
    if exists "$ns"; then
      # Stop whatever still runs inside, by PID, then remove the namespace.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      sleep 0.2
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
    # Files a run bound over the namespace's /etc (the matrix's hosts file), if it left any.
    rm -rf "/etc/netns/$ns"
  done
  echo "natlab: down"
}

status() {
  local any=0
  for ns in "${NS[@]}"; do
    if exists "$ns"; then
      any=1
      echo "== $ns: $(nsx "$ns" ip -br addr | grep -v '^lo' | awk '{print $1, $3}' | tr '\n' ' ')"
      for pid in $(ip netns pids "$ns" 2>/dev/null); do echo "   pid $pid: $(tr '\0' ' ' < /proc/"$pid"/cmdline | cut -c1-100)"; done
    fi
  done
  [[ $any -eq 1 ]] || echo "natlab: down (no ferry-* namespaces)"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: natlab.sh up|down|status" >&2; exit 2 ;;
esac
