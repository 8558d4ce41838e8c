#!/usr/bin/env bash
# Vigil's auth_log collector against fail2ban (sshd filter) and sshguard's parser
# (sshg-parser) on the same million-line auth.log, in one run.
#
#   bench/authlog_bench.sh [VIGIL_BINARY]       (default: build/vigil)
#
# Environment: BENCH_DIR (default /tmp/bench) holds auth-1m.log, built on first use with
# ../shared/bench/make-bench-authlog.py 1000000; RUNS (default 1: fail2ban takes minutes)
# timed runs per tool; BENCH_LOG another input file.
# Installs Debian's fail2ban and sshguard with apt-get when fail2ban-regex or sshg-parser is
# missing (it says so);
# uses hyperfine when installed, else /usr/bin/time. Prints both times, their ratio,
# lines/s, peak RSS, and how many failures each found.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=$(cd "$repo/.." && pwd)/shared
vigil=${1:-$repo/build/vigil}
bench_dir=${BENCH_DIR:-/tmp/bench}
runs=${RUNS:-1}
log=${BENCH_LOG:-$bench_dir/auth-1m.log}
filter=/etc/fail2ban/filter.d/sshd.conf

if [ ! -x "$vigil" ]; then
  echo "authlog_bench: $vigil missing; building it (make build)" >&2
  make -C "$repo" build >&2
fi
mkdir -p "$bench_dir"
if [ ! -s "$log" ]; then
  echo "authlog_bench: generating $log" >&2
  python3 "$shared/bench/make-bench-authlog.py" 1000000 -o "$log"
fi
if ! command -v fail2ban-regex >/dev/null; then
  echo "authlog_bench: fail2ban-regex missing; installing Debian package fail2ban with apt-get" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get install -y --no-install-recommends fail2ban >&2
fi
sshg=/usr/libexec/sshguard/sshg-parser
if [ ! -x "$sshg" ]; then
  echo "authlog_bench: $sshg missing; installing Debian package sshguard with apt-get" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get install -y --no-install-recommends sshguard >&2
fi
lines=$(wc -l < "$log")

vigil_cmd="$vigil replay --auth-log $log --events > /dev/null"
# Parse only, as sshg-parser does: every line read, parsed and turned into an event, which
# goes through the (empty) rule engine; nothing printed.
vigil_parse_cmd="$vigil replay --auth-log $log --no-alerts > /dev/null"
f2b_cmd="fail2ban-regex $log $filter > /dev/null"
sshg_cmd="$sshg < $log > /dev/null"

# Wall time, mean of $runs runs, in seconds.
declare -A secs
if command -v hyperfine >/dev/null; then
  json=$(mktemp)
  hyperfine --runs "$runs" --export-json "$json" -n vigil "$vigil_cmd" -n vigil_parse "$vigil_parse_cmd" \
    -n fail2ban "$f2b_cmd" -n sshguard "$sshg_cmd" >&2
  read -r secs[vigil] secs[vigil_parse] secs[fail2ban] secs[sshguard] < <(python3 -c '
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(r["vigil"], r["vigil_parse"], r["fail2ban"], r["sshguard"])' "$json")
  rm -f "$json"
else
  for tool in vigil vigil_parse fail2ban sshguard; do
    case $tool in
      vigil) cmd=$vigil_cmd ;; vigil_parse) cmd=$vigil_parse_cmd ;;
      fail2ban) cmd=$f2b_cmd ;; sshguard) cmd=$sshg_cmd ;;
    esac
    start=$(date +%s.%N); for _ in $(seq "$runs"); do bash -c "$cmd"; done; end=$(date +%s.%N)
    secs[$tool]=$(python3 -c "print(($end - $start) / $runs)")
  done
fi

# One more run of each under GNU time: peak RSS, and the output kept to count failures.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/time -f '%M %U %S' -o "$work/vigil.rss" "$vigil" replay --auth-log "$log" --events \
  > "$work/vigil.json" 2>/dev/null
/usr/bin/time -f '%M %U %S' -o "$work/vigil_parse.rss" "$vigil" replay --auth-log "$log" --no-alerts > /dev/null 2>&1
/usr/bin/time -f '%M %U %S' -o "$work/f2b.rss" fail2ban-regex "$log" "$filter" > "$work/f2b.txt"
/usr/bin/time -f '%M %U %S' -o "$work/sshg.rss" "$sshg" < "$log" > "$work/sshg.txt"
# Peak RSS (KiB) and CPU seconds (user + system) of that run: CPU time holds up on a busy
# machine, where wall time does not.
rss() { tail -1 "$1" | cut -d' ' -f1; }
cpu() { tail -1 "$1" | awk '{print $2 + $3}'; }
rss_vigil=$(rss "$work/vigil.rss"); cpu_vigil=$(cpu "$work/vigil.rss")
rss_vigil_parse=$(rss "$work/vigil_parse.rss"); cpu_vigil_parse=$(cpu "$work/vigil_parse.rss")
rss_f2b=$(rss "$work/f2b.rss"); cpu_f2b=$(cpu "$work/f2b.rss")
rss_sshg=$(rss "$work/sshg.rss"); cpu_sshg=$(cpu "$work/sshg.rss")
sshg_attacks=$(wc -l < "$work/sshg.txt")
# Vigil: events with event.outcome failure (all; and sshd's with a source).
read -r v_all v_sshd < <(python3 -c '
import json, sys
a = s = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event", {}).get("outcome") == "failure":
        a += 1
        if e["event"].get("dataset") == "access.sshd" and "source" in e:
            s += 1
print(a, s)' "$work/vigil.json")
# fail2ban: lines its sshd filter matched, and its failregex hits.
f2b_matched=$(sed -n 's/^Lines: .* \([0-9]*\) matched.*/\1/p' "$work/f2b.txt" | head -1)
f2b_hits=$(sed -n 's/^Failregex: \([0-9]*\) total.*/\1/p' "$work/f2b.txt" | head -1)

python3 - "$lines" "${secs[vigil]}" "${secs[fail2ban]}" "$rss_vigil" "$rss_f2b" "$v_all" "$v_sshd" "$f2b_matched" "$f2b_hits" \
  "${secs[vigil_parse]}" "$rss_vigil_parse" "${secs[sshguard]}" "$rss_sshg" "$sshg_attacks" \
  "$cpu_vigil" "$cpu_vigil_parse" "$cpu_f2b" "$cpu_sshg" <<'PY'
import sys
lines, tv, tf, rv, rf, va, vs, fm, fh, tp, rp, ts, rs, sa, cv, cp, cf, cs = sys.argv[1:]
lines, tv, tf, tp, ts = int(lines), float(tv), float(tf), float(tp), float(ts)
cv, cp, cf, cs = float(cv), float(cp), float(cf), float(cs)
print(f"input: {lines} lines")
print(f"vigil replay --auth-log --events : {tv:8.2f} s  {lines/tv:12,.0f} lines/s  peak RSS {int(rv)/1024:7.1f} MB  failures {va} (sshd with source: {vs})")
print(f"vigil replay --auth-log (parse)  : {tp:8.2f} s  {lines/tp:12,.0f} lines/s  peak RSS {int(rp)/1024:7.1f} MB")
print(f"fail2ban-regex sshd.conf         : {tf:8.2f} s  {lines/tf:12,.0f} lines/s  peak RSS {int(rf)/1024:7.1f} MB  failures {fm} (matched lines; {fh} failregex hits)")
print(f"sshg-parser (sshguard)           : {ts:8.2f} s  {lines/ts:12,.0f} lines/s  peak RSS {int(rs)/1024:7.1f} MB  attacks {sa}")
print(f"CPU seconds (user+sys): vigil {cv:.2f}, vigil parse {cp:.2f}, fail2ban {cf:.2f}, sshg-parser {cs:.2f}")
print(f"ratio fail2ban/vigil: {tf/tv:.1f}x wall, {cf/cv:.1f}x CPU")
print(f"ratio sshg-parser/vigil (parse only): {ts/tp:.2f}x wall, {cs/cp:.2f}x CPU  (target: 10x)")
PY
