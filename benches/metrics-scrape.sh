#!/usr/bin/env bash
# What serving /metrics costs the requests: wrk against a release `backoffice serve` on the
# plugin route /admin/hello/index/json (bearer token: token lookup, ACL, a fresh sandbox), in
# rounds that alternate "nobody scrapes" and "a scraper fetches /metrics every second", so both
# see the same machine load. Prints one line per round, then the server's CPU time for one
# scrape next to one benchmark request (a number the machine's load does not blur).
#
#   benches/metrics-scrape.sh [seconds per round] [rounds per side] [connections]
#
# Needs wrk (Debian package `wrk`), curl, a release build (`cargo build --release -p
# backoffice`; BACKOFFICE_BIN=path picks another binary) and the hello fixture
# (`plugins/build.sh --fixtures`). Logs only warnings, so the number is the request path, not
# the terminal.
set -euo pipefail

seconds="${1:-15}"
rounds="${2:-3}"
connections="${3:-8}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
binary="${BACKOFFICE_BIN:-$target_dir/release/backoffice}"
hello="$target_dir/fixtures/hello.wasm"
for needed in "$binary" "$hello"; do
  [ -f "$needed" ] || { echo "missing $needed (see the header of $0)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

work="$(mktemp -d)"
server=""
scraper=""
cleanup() {
  [ -n "$scraper" ] && kill "$scraper" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/plugins"
cp "$hello" "$work/plugins/"
port=$((20000 + RANDOM % 20000))
export BACKOFFICE_LOG=warn
"$binary" --data "$work/data" serve --listen "127.0.0.1:$port" \
  --trusted-plugins "$work/plugins" --themes "$root/themes" \
  --admin-email bench@example.com --admin-password bench-password-0001 >"$work/serve.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
until curl -fs "$base/readyz" >/dev/null; do
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.2
done
token="$("$binary" --data "$work/data" token create bench@example.com --name bench | tail -1)"
auth="Authorization: Bearer $token"
url="$base/admin/hello/index/json"
curl -fs -H "$auth" "$url" >/dev/null

# One wrk round; prints requests/s and the latency percentiles.
round() {
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "$auth" "$url" |
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%s req/s  p50 %s  p99 %s\n", rps, p50, p99}'
}

# Rounds with a scraper running beside wrk.
scraping_round() {
  (while :; do curl -fs -H "$auth" "$base/metrics" >/dev/null; sleep 1; done) &
  scraper=$!
  round
  kill "$scraper"
  wait "$scraper" 2>/dev/null || true
  scraper=""
}

# Pairs in alternating order (ABBA), so a load that drifts over the run favours neither side.
scrapes=0
for i in $(seq "$rounds"); do
  if [ $((i % 2)) -eq 1 ]; then
    printf 'pair %d, without scraping: ' "$i"; round
    printf 'pair %d, scraping every 1 s: ' "$i"; scraping_round
  else
    printf 'pair %d, scraping every 1 s: ' "$i"; scraping_round
    printf 'pair %d, without scraping: ' "$i"; round
  fi
  scrapes=$((scrapes + seconds))
done
size="$(curl -fs -H "$auth" "$base/metrics" | wc -c)"
echo "about $scrapes scrapes; one /metrics answer is $size bytes"

# What one scrape costs the server, next to one request of the benchmark: the server's CPU
# time (utime + stime, /proc) over 200 sequential calls of each, nothing else running.
ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
for path in /metrics /admin/hello/index/json; do
  before="$(cpu_ticks)"
  for _ in $(seq 200); do curl -fs -o /dev/null -H "$auth" "$base$path"; done
  after="$(cpu_ticks)"
  awk -v t="$((after - before))" -v hz="$ticks" -v p="$path" \
    'BEGIN {printf "server CPU per call of %s: %.2f ms\n", p, t * 1000 / hz / 200}'
done
