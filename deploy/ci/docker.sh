#!/usr/bin/env bash
# Docker for the image tests (deploy/image-tests), as root:
#   docker.sh start       start dockerd (no iptables, no bridge: containers use --network host) unless
#                         one already answers; its PID goes to /run/ferry-dockerd.pid
#   docker.sh stop        stop the dockerd that 'start' started (by that PID), and nothing else
#   docker.sh base-image  build local/debian-jre:17 (Debian 12 minbase + OpenJDK 17 JRE, by mmdebstrap
#                         and 'docker import': no registry is needed) unless it exists; ~100 s once,
#                         then kept in /var/lib/docker across runs
set -euo pipefail

pid_file=/run/ferry-dockerd.pid
log_file=/var/log/ferry-dockerd.log
base_image=local/debian-jre:17

answers() { docker info >/dev/null 2>&1; }

start() {
  if answers; then
    echo "docker: a daemon already answers; using it"
    return
  fi
  command -v dockerd >/dev/null || { echo "docker: dockerd is not installed (deploy/ci/install-test-deps.sh as root)" >&2; exit 1; }
  dockerd --iptables=false --ip-forward=false --bridge=none --storage-driver=overlay2 >"$log_file" 2>&1 &
  echo $! >"$pid_file"
  for _ in $(seq 1 60); do
    if answers; then
      echo "docker: dockerd $(cat "$pid_file") is up"
      return
    fi
    kill -0 "$(cat "$pid_file")" 2>/dev/null || break
    sleep 0.5
  done
  echo "docker: dockerd did not come up; the end of $log_file:" >&2
  tail -20 "$log_file" >&2
  exit 1
}

stop() {
  [[ -f $pid_file ]] || return 0
  local pid
  pid=$(cat "$pid_file")
  # Only the dockerd this script started (a stale file may name a PID reused by something else).
  if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
    # What a crashed test run may have left: its containers (Testcontainers labels them; Ryuk is off
    # here) and images that rebuilt tags left dangling. The base image and the tagged ones stay.
    docker ps -aq --filter label=org.testcontainers=true | xargs -r docker rm -f >/dev/null || true
    docker image prune -f >/dev/null || true
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pid_file"
  echo "docker: dockerd $pid stopped"
}

base_image() {
  if docker image inspect "$base_image" >/dev/null 2>&1; then
    echo "docker: $base_image present"
    return
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "docker: building $base_image with mmdebstrap (about 100 s, once)"
  mmdebstrap --quiet --variant=minbase --include=openjdk-17-jre-headless \
      --aptopt='Acquire::Check-Valid-Until "false"' \
      bookworm "$work/rootfs.tar" /etc/apt/sources.list.d/debian.sources
  docker import -c 'ENV LANG=C.UTF-8' "$work/rootfs.tar" "$base_image" >/dev/null
  docker run --rm --network none "$base_image" java -version 2>&1 | head -1
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  base-image) base_image ;;
  *) echo "usage: $0 start|stop|base-image" >&2; exit 2 ;;
esac
