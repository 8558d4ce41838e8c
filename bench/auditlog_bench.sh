#!/usr/bin/env bash
# Vigil's audit_log collector against the audit userspace's own reader, `ausearch`, on the
# same million-line audit.log, in one run.
#
#   bench/auditlog_bench.sh [VIGIL_BINARY]       (default: build/vigil)
#
# Environment: BENCH_DIR (default /tmp/bench) holds audit-1m.log (raw format) and
# audit-1m-enriched.log, built on first use with bench/make-bench-auditlog.py (../shared/bench
# has no audit-log generator); RUNS (default 3) timed runs per command, the median reported;
# BENCH_LOG another input file (then only that one is measured).
# Installs Debian's auditd (for ausearch) with apt-get when ausearch is missing (it says so;
# the package's service is not started where policy-rc.d forbids it, as in a container).
#
# What each side does with every line:
# - `vigil replay --audit-log F --no-alerts`: reads, parses each record (type, stamp, node,
#   fields; hex values decoded), joins the records of an event by serial, builds the ECS event
#   and hands it to the (empty) rule engine; nothing printed. `--events` also prints each
#   event as JSON.
# - `ausearch --input F --raw`: reads, parses each record and groups records into events by
#   serial, prints every record of every event as it was.
# - `ausearch --input F -i`: the same, each value interpreted (hex decoded, ids named) as it prints.
# Prints wall (median), lines/s, CPU seconds (user + sys) and peak RSS per command, events
# counted by each, and the ratios.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
vigil=${1:-$repo/build/vigil}
bench_dir=${BENCH_DIR:-/tmp/bench}
runs=${RUNS:-3}

if [ ! -x "$vigil" ]; then
  echo "auditlog_bench: $vigil missing; building it (make build)" >&2
  make -C "$repo" build >&2
fi
if ! command -v ausearch >/dev/null; then
  echo "auditlog_bench: ausearch missing; installing Debian package auditd with apt-get" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get install -y --no-install-recommends auditd >&2
fi
mkdir -p "$bench_dir"
logs=()
if [ -n "${BENCH_LOG:-}" ]; then
  logs=("$BENCH_LOG")
else
  for format in raw enriched; do
    log=$bench_dir/audit-1m.log
    [ "$format" = enriched ] && log=$bench_dir/audit-1m-enriched.log
    if [ ! -s "$log" ]; then
      echo "auditlog_bench: generating $log" >&2
      python3 "$here/make-bench-auditlog.py" 1000000 --format "$format" -o "$log"
    fi
    logs+=("$log")
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# measure NAME CMD...: $runs runs under GNU time, stdout to $work/NAME.out; leaves
# "median-wall cpu-of-that-run peak-rss-KiB" in $work/NAME.m.
measure() {
  local name=$1; shift
  for i in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/$name.t$i" "$@" > "$work/$name.out" 2>/dev/null
  done
  cat "$work/$name".t* | awk '{print $1, $2 + $3, $4}' | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2)' \
    > "$work/$name.m"
}

for log in "${logs[@]}"; do
  lines=$(wc -l < "$log")
  measure vigil_events "$vigil" replay --audit-log "$log" --events
  vigil_events=$(wc -l < "$work/vigil_events.out")
  measure vigil_parse "$vigil" replay --audit-log "$log" --no-alerts
  measure ausearch_raw ausearch --input "$log" --raw
  # ausearch --raw prints each event's records, nothing between them: count its events by serial.
  ausearch_events=$(sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' "$work/ausearch_raw.out" | uniq | wc -l)
  measure ausearch_interp ausearch --input "$log" -i
  python3 - "$log" "$lines" "$vigil_events" "$ausearch_events" "$work" <<'PY'
import sys
log, lines, ve, ae, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
m = {}
for name in ("vigil_events", "vigil_parse", "ausearch_raw", "ausearch_interp"):
    wall, cpu, rss = open(f"{work}/{name}.m").read().split()
    m[name] = (float(wall), float(cpu), int(rss) / 1024)
print(f"input: {log}, {lines} lines")
labels = {
    "vigil_events": f"vigil replay --audit-log --events    ",
    "vigil_parse": f"vigil replay --audit-log (parse)     ",
    "ausearch_raw": f"ausearch --input --raw              ",
    "ausearch_interp": f"ausearch --input -i (interpreted)   ",
}
for name, (wall, cpu, rss) in m.items():
    extra = {"vigil_events": f"  events {ve}", "ausearch_raw": f"  events {ae}"}.get(name, "")
    print(f"{labels[name]}: {wall:6.2f} s  {lines / max(wall, 1e-9):12,.0f} lines/s  CPU {cpu:6.2f} s  peak RSS {rss:7.1f} MB{extra}")
p, r, i = m["vigil_parse"], m["ausearch_raw"], m["ausearch_interp"]
print(f"ratio ausearch --raw / vigil (parse only): {r[0] / p[0]:.2f}x wall, {r[1] / p[1]:.2f}x CPU")
print(f"ratio ausearch -i / vigil --events: {i[0] / m['vigil_events'][0]:.2f}x wall, {i[1] / m['vigil_events'][1]:.2f}x CPU")
PY
done
