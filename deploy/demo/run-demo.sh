#!/usr/bin/env bash
# Ferry's main job on an embedded default: a relay, an agent and a small FTP server, all on
# loopback, printing an ftp:// address any client can use. Ctrl-C stops everything.
#
#   FERRY_DEMO_DIR   folder to share (default: a fresh temporary folder with two sample files)
#   FERRY_DEMO_PORT  public FTP port of the demo tunnel (default 2121)
#   FERRY_DEMO_AGENT_PORT  relay's agent port (default 7835)
set -euo pipefail
cd "$(dirname "$0")/../.."

relay_jar=relay-server/target/ferry-relay.jar
agent_jar=relay-agent/target/ferry-agent.jar
if [[ ! -f $relay_jar || ! -f $agent_jar ]]; then
  echo "building Ferry (mvn -B -q -DskipTests package)..." >&2
  mvn -B -q -DskipTests package
fi

ftp_port=${FERRY_DEMO_PORT:-2121}
agent_port=${FERRY_DEMO_AGENT_PORT:-7835}
work=$(mktemp -d -t ferry-demo.XXXXXX)
share=${FERRY_DEMO_DIR:-$work/share}
if [[ -z ${FERRY_DEMO_DIR:-} ]]; then
  mkdir -p "$share/pub"
  echo "Hello from behind the NAT, carried by Ferry." > "$share/README.txt"
  head -c 1048576 /dev/urandom > "$share/pub/one-mib.bin"
fi

relay_pid= agent_pid= tail_pid=
stop() {
  trap - EXIT INT TERM
  local pids="$agent_pid $relay_pid"
  if [[ -n ${pids// /} ]]; then
    kill $pids 2>/dev/null || true
    ( sleep 8 & s=$!; trap 'kill $s; exit 0' TERM; wait $s; kill -9 $pids 2>/dev/null ) &
    local killer=$!
    wait $pids 2>/dev/null || true
    kill "$killer" 2>/dev/null || true
  fi
  [[ -n $tail_pid ]] && kill "$tail_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

for port in "$ftp_port" "$agent_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "ferry demo: port $port on 127.0.0.1 is already in use; set FERRY_DEMO_PORT / FERRY_DEMO_AGENT_PORT" >&2
    exit 1
  fi
done

java @deploy/jvm.options -jar "$relay_jar" serve --data-dir "$work/relay" --public-address 127.0.0.1 --bind 127.0.0.1 \
  --agent-listen "127.0.0.1:$agent_port" --passive-ports 40000-40099 --ftp-listen off 2>"$work/relay.log" &
relay_pid=$!
for _ in $(seq 1 100); do
  [[ -f $work/relay/relay.properties ]] && break
  kill -0 "$relay_pid" 2>/dev/null || { echo "ferry demo: the relay did not start" >&2; exit 1; }
  sleep 0.1
done

agent_cmd=$(java -jar "$relay_jar" tunnel add demo.ferry.localhost --ftp-port "$ftp_port" --data-dir "$work/relay" | tail -n 1)
token=$(sed -E 's/.*--token ([^ ]+).*/\1/' <<<"$agent_cmd")
pin=$(sed -E 's/.*--pin ([^ ]+).*/\1/' <<<"$agent_cmd")

live=$work/agent.log
java @deploy/jvm.options -jar "$agent_jar" --relay "127.0.0.1:$agent_port" --token "$token" --pin "$pin" \
  --serve-dir "$share" --serve-login demo:demo 2>"$live" &
agent_pid=$!
tail -q -n +1 -F "$work/relay.log" "$live" 2>/dev/null >&2 &
tail_pid=$!
for _ in $(seq 1 200); do
  grep -q "is live at" "$live" 2>/dev/null && break
  kill -0 "$agent_pid" 2>/dev/null || { echo "ferry demo: the agent did not start" >&2; exit 1; }
  sleep 0.1
done
grep -q "is live at" "$live" || { echo "ferry demo: the agent did not come up" >&2; exit 1; }

cat <<MSG

Ferry is up. Sharing $share through relay 127.0.0.1 (TLS link, pinned certificate).

    ftp://127.0.0.1:$ftp_port/

  try:  curl ftp://127.0.0.1:$ftp_port/            (anonymous, read-only)
        curl -T somefile ftp://demo:demo@127.0.0.1:$ftp_port/   (upload as demo/demo)

Ctrl-C stops the relay and the agent.
MSG
wait "$agent_pid" "$relay_pid"
