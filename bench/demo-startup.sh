#!/usr/bin/env bash
# Cold `npm run demo` time to the first page, and the idle RSS of `node dist/main.js all`.
# Each run starts from no dist/ (the demo rebuilds) and fresh processes; services already installed.
# Usage: bash bench/demo-startup.sh [runs=3] [idle-seconds=30]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${1:-3}
IDLE=${2:-30}
PORT=${PORT:-3000}
URL="http://127.0.0.1:${PORT}/login"

if curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health/live" 2>/dev/null; then
  echo "something already answers on port ${PORT}: stop it first" >&2
  exit 1
fi

times=()
rss=()
for run in $(seq 1 "$RUNS"); do
  rm -rf dist
  start=$(date +%s.%N)
  setsid bash scripts/demo.sh >"/tmp/pecflow-bench-demo.$run.log" 2>&1 &
  demo=$!
  until curl -fsS -o /dev/null -H 'Host: demo.localhost' "$URL" 2>/dev/null; do
    kill -0 "$demo" 2>/dev/null || { echo "demo exited: see /tmp/pecflow-bench-demo.$run.log" >&2; exit 1; }
    sleep 0.1
  done
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
  sleep "$IDLE"
  pid=$(pgrep -f 'node dist/main.js all' | head -1)
  rss+=("$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")")
  kill -INT -- "-$demo"
  wait "$demo" 2>/dev/null || true
  printf 'run %d: first page after %.1f s, idle RSS of `all` after %d s: %d MiB\n' "$run" "${times[-1]}" "$IDLE" $((rss[-1] / 1024))
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minmax() { printf '%s\n' "$@" | sort -n | awk 'NR==1 {min=$1} {max=$1} END {print min "–" max}'; }
echo "cold demo to first page: median $(median "${times[@]}") s (min–max $(minmax "${times[@]}") s) over $RUNS runs"
kib=$(median "${rss[@]}")
echo "idle RSS of all: median $((kib / 1024)) MiB (min–max $(minmax "${rss[@]}") KiB)"
