#!/usr/bin/env bash
# retention_bench.sh - the retention collector against find(1) and sha256sum(1) on the same
# tree, in one run, warm cache.
#
# Usage: bench/retention_bench.sh BUILD_DIR TREE [WORK_DIR]
#   BUILD_DIR  a build with -DVIGIL_BENCH=ON (vigil, bench/vigil_bench_retention_walk)
#   TREE       a tree from ../shared/bench/make-bench-tree.sh (e.g. /tmp/bench/tree)
#   WORK_DIR   where the baseline database and logs go (default: a temp dir)
#
# Measures (wall seconds, GNU time; peak RSS from time -v):
#   find       find TREE -type f -printf '%s %T@ %p\n' > /dev/null        (the peer: stat only)
#   walk       vigil_bench_retention_walk TREE 1                          (Vigil's walk: statx only)
#   sha256sum  find TREE -type f -print0 | xargs -0 -P1 sha256sum > /dev/null  (peer: read + hash)
#   full       vigil replay --scan TREE --policy P --db NEW.db            (stat + SHA-256 + baseline)
#   rescan     the same again on the same db                              (stat + baseline lookups)
# and prints the ratios. Each command runs once after one warm-up run of find.
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

echo "tree: $tree ($files files)"
run find sh -c "find '$tree' -type f -printf '%s %T@ %p\n' > /dev/null"
run walk "$walk" "$tree" 1
run sha256sum sh -c "find '$tree' -type f -print0 | xargs -0 sha256sum > /dev/null"
rm -f "$work/baseline.db" "$work/baseline.db-wal" "$work/baseline.db-shm"
run full "$vigil" replay --scan "$tree" --policy "$work/policy.yaml" --now 2026-11-23T00:00:00Z --db "$work/baseline.db"
run rescan "$vigil" replay --scan "$tree" --policy "$work/policy.yaml" --now 2026-11-24T00:00:00Z --db "$work/baseline.db"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
echo
echo "walk / find            = $(ratio "$walk_s" "$find_s")   (Vigil's stat-only walk vs find -printf)"
echo "full / sha256sum       = $(ratio "$full_s" "$sha256sum_s")   (stat + hash + baseline vs find | sha256sum)"
echo "full / find            = $(ratio "$full_s" "$find_s")"
echo "rescan / full          = $(ratio "$rescan_s" "$full_s")   (target <= 0.5)"
echo "rescan / find          = $(ratio "$rescan_s" "$find_s")"
echo "full RSS bytes/file    = $(awk -v kb="$full_kb" -v n="$files" 'BEGIN { printf "%.0f", kb * 1024 / n }')   (whole process; target < 200)"
echo "rescan RSS bytes/file  = $(awk -v kb="$rescan_kb" -v n="$files" 'BEGIN { printf "%.0f", kb * 1024 / n }')"
echo "baseline db            = $(du -b "$work/baseline.db" | cut -f1) bytes"
