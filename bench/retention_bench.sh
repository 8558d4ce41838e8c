#!/usr/bin/env bash
# retention_bench.sh - the retention collector against find(1) and sha256sum(1) on the same
# tree, in one run, warm cache.
#
# Usage: [WORKERS="1 2"] bench/retention_bench.sh BUILD_DIR TREE [WORK_DIR]
#   BUILD_DIR  a build with -DVIGIL_BENCH=ON (vigil, bench/vigil_bench_retention_walk)
#   TREE       a tree from ../shared/bench/make-bench-tree.sh (e.g. /tmp/bench/tree)
#   WORK_DIR   where the baseline database and logs go (default: a temp dir)
#   WORKERS    the worker counts to measure walk, full and rescan with (default "1 2")
#
# Measures (wall seconds, GNU time; peak RSS from time -f %M):
#   find       find TREE -type f -printf '%s %T@ %p\n' > /dev/null        (the peer: stat only)
#   walk       vigil_bench_retention_walk TREE 1 W                        (Vigil's walk: statx only)
#   sha256sum  find TREE -type f -print0 | xargs -0 sha256sum > /dev/null (peer: read + hash)
#   full       vigil replay --scan TREE --policy P --db NEW.db --workers W --log-level info
#              (a first scan, both phases), and from its log line the two phases' own times:
#     stat     phase 1: walk, statx, policy, baseline written with the hashes pending
#     hash     phase 2: every file read and SHA-256'd, the baseline's hashes filled in
#   rescan     the same again on the same db, a day later (stat + baseline lookups; nothing to
#              hash)
# for each worker count W, and prints the ratios: the stat phase against find (the issue's
# "full scan"), the hash phase against sha256sum, the rescan against the stat phase and the
# whole first scan. Each command runs once after one warm-up run of find. The phase times are
# measured inside the process (they leave out its start and the policy load, a few ms).
set -euo pipefail
export LC_ALL=C
build=$(cd "$1" && pwd)
tree=$(cd "$2" && pwd)
work=${3:-$(mktemp -d)}
mkdir -p "$work"
vigil=$build/vigil
walk=$build/bench/vigil_bench_retention_walk

cat > "$work/policy.yaml" <<POLICY
classes:
  - id: records
    paths: ["$tree/**"]
    min: 7y
    immutability: worm
POLICY

files=$(find "$tree" -type f | wc -l)   # also warms the cache
find "$tree" -type f -printf '%s %T@ %p\n' > /dev/null

# run NAME CMD...: wall seconds and peak RSS (KiB) of CMD into $NAME_s / $NAME_kb
run() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || {
    echo "$name failed:"; tail -5 "$work/$name.err"; exit 1; }
  read -r secs kb < "$work/$name.time"
  printf -v "${name}_s" '%s' "$secs"
  printf -v "${name}_kb" '%s' "$kb"
  printf '%-10s %8.2f s  %8d KiB peak RSS\n' "$name" "$secs" "$kb"
}

# phases NAME: the stat and hash phase seconds of a replay's log line into $NAME_stat/_hash
phases() {
  local line
  line=$(grep -o 'stat phase [0-9.]* s, hash phase [0-9.]* s' "$work/$1.err" | tail -1)
  [ -n "$line" ] || { echo "$1: no phase timings in its log"; exit 1; }
  printf -v "${1}_stat" '%s' "$(echo "$line" | awk '{print $3}')"
  printf -v "${1}_hash" '%s' "$(echo "$line" | awk '{print $7}')"
  printf '%-10s stat phase %s s, hash phase %s s\n' "" "$(echo "$line" | awk '{print $3}')" "$(echo "$line" | awk '{print $7}')"
}

workers=${WORKERS:-1 2}
echo "tree: $tree ($files files); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run find sh -c "find '$tree' -type f -printf '%s %T@ %p\n' > /dev/null"
run sha256sum sh -c "find '$tree' -type f -print0 | xargs -0 sha256sum > /dev/null"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
perfile() { awk -v kb="$1" -v n="$files" 'BEGIN { printf "%.0f", kb * 1024 / n }'; }
summary=""
for w in $workers; do
  run "walk_w$w" "$walk" "$tree" 1 "$w"
  rm -f "$work/baseline.db" "$work/baseline.db-wal" "$work/baseline.db-shm"
  run "full_w$w" "$vigil" replay --scan "$tree" --policy "$work/policy.yaml" --now 2026-11-23T00:00:00Z --db "$work/baseline.db" --workers "$w" --log-level info
  phases "full_w$w"
  run "rescan_w$w" "$vigil" replay --scan "$tree" --policy "$work/policy.yaml" --now 2026-11-24T00:00:00Z --db "$work/baseline.db" --workers "$w" --log-level info
  phases "rescan_w$w"
  eval "walk_s=\$walk_w${w}_s full_s=\$full_w${w}_s full_kb=\$full_w${w}_kb rescan_s=\$rescan_w${w}_s rescan_kb=\$rescan_w${w}_kb"
  eval "stat_s=\$full_w${w}_stat hash_s=\$full_w${w}_hash restat_s=\$rescan_w${w}_stat"
  summary+="$(printf '%7s | %6.2f | %6.2f | %6.2f | %6.2f | %8.2f | %9s | %9s | %14s | %11s | %11s | %11s | %9s/%s' "$w" "$walk_s" "$full_s" "$stat_s" "$hash_s" "$rescan_s" \
    "$(ratio "$walk_s" "$find_s")" "$(ratio "$stat_s" "$find_s")" "$(ratio "$hash_s" "$sha256sum_s")" \
    "$(ratio "$restat_s" "$stat_s")" "$(ratio "$rescan_s" "$full_s")" "$(ratio "$rescan_s" "$find_s")" \
    "$(perfile "$full_kb")" "$(perfile "$rescan_kb")")"$'\n'
done

echo
echo "workers | walk s | full s | stat s | hash s | rescan s | walk/find | stat/find | hash/sha256sum | rescan/stat | rescan/full | rescan/find | RSS B/file full/rescan"
printf '%s' "$summary"
echo "(full, rescan: process wall; stat, hash: the first scan's phases inside it; rescan/stat: the"
echo " rescan's stat phase against the first scan's, both inside the process; rescan/full and"
echo " rescan/find: process wall)"
echo "(targets: stat/find <= 1, rescan/stat <= 0.5, RSS < 200 B/file for the whole process)"
echo "baseline db            = $(du -b "$work/baseline.db" | cut -f1) bytes"
