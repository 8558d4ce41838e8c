#!/usr/bin/env bash
# Scrape time of Vigil's /metrics against Prometheus's node_exporter, in one run.
#
#   bench/metrics_scrape_bench.sh [VIGIL_BINARY]       (default: build/vigil)
#
# Three targets, each scraped SCRAPES times (default 300) with curl, one scrape at a time as
# Prometheus does: Vigil with every shipped rule pack loaded, Vigil with 1000 generated rules
# more (every rule has its alert, evaluation and state series from the start), and
# node_exporter with its default collectors on this host. Prints per target the median and
# 95th percentile scrape time, the body size and the number of samples, and the ratio of
# Vigil's median to node_exporter's. Installs Debian's prometheus-node-exporter with apt-get
# when missing (it says so).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
vigil=${1:-$repo/build/vigil}
scrapes=${SCRAPES:-300}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

[ -x "$vigil" ] || { echo "metrics_scrape_bench: $vigil missing; run make build" >&2; exit 2; }
if ! command -v prometheus-node-exporter >/dev/null; then
  echo "metrics_scrape_bench: installing Debian package prometheus-node-exporter with apt-get" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get install -y --no-install-recommends prometheus-node-exporter >&2
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Every shipped pack (site-lists is loaded with any of them, not named).
packs=$(cd "$repo/rules/packs" && ls *.yaml | sed 's/\.yaml$//' | grep -vx site-lists | tr '\n' ',' | sed 's/,$//')
python3 - "$work/many.yaml" <<'PY'
import sys
sev = ["low", "medium", "high", "critical"]
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write(f"- rule: bench.r{i:04d}\n  name: Bench rule {i}\n  severity: {sev[i % 4]}\n"
                f"  condition: event.dataset = bench.d{i % 10} and event.action = a{i}\n")
PY

start_vigil() {  # name, extra rule paths; sets $port
  local name=$1 paths=$2
  port=$(free_port)
  mkdir -p "$work/$name"
  cat > "$work/$name/vigil.yaml" <<YAML
state_dir: $work/$name/state
metrics:
  listen: 127.0.0.1:$port
rules:
  packs: [${packs}]
  paths: [$paths]
collectors: []
YAML
  "$vigil" run -c "$work/$name/vigil.yaml" 2> "$work/$name/err" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/$name/err" >&2; exit 1; }
}

measure() {  # label, url
  local label=$1 url=$2 body times
  body=$(curl -sf "$url")
  times=$(for _ in $(seq "$scrapes"); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n)
  python3 - "$label" "$(printf '%s' "$body" | wc -c)" "$(printf '%s\n' "$body" | grep -vc '^#')" <<PY
import sys
t = [float(x) for x in """$times""".split()]
label, size, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
med, p95 = t[len(t) // 2], t[int(len(t) * 0.95)]
print(f"{label:28s} median {med*1000:7.2f} ms  p95 {p95*1000:7.2f} ms  {size/1024:8.1f} KiB  {samples:6d} samples")
open("$work/median-" + label.split()[0], "w").write(str(med))
PY
}

start_vigil packs ""
packs_port=$port
start_vigil many "$work/many.yaml"
many_port=$port
ne_port=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" 2> "$work/ne.err" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ne_port/metrics" >/dev/null && break; sleep 0.1; done

echo "scrapes per target: $scrapes ($(nproc) cores, $(uname -r))"
measure "vigil-packs (all packs)" "http://127.0.0.1:$packs_port/metrics"
measure "vigil-1000 (packs + 1000)" "http://127.0.0.1:$many_port/metrics"
measure "node_exporter (defaults)" "http://127.0.0.1:$ne_port/metrics"
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
m = {k: float(open(f"{w}/median-{k}").read()) for k in ("vigil-packs", "vigil-1000", "node_exporter")}
print(f"ratio vigil-packs / node_exporter median: {m['vigil-packs'] / m['node_exporter']:.2f}")
print(f"ratio vigil-1000  / node_exporter median: {m['vigil-1000'] / m['node_exporter']:.2f}")
PY
