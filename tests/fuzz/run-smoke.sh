#!/usr/bin/env bash
# Runs every fuzz target in BUILD/fuzz for FUZZ_SECONDS each over its seed corpus (and
# ../shared corpora and repository folders where a target names them), with its dictionary.
# A crash, leak or timeout fails the run; the crashing input is left in BUILD/fuzz/artifacts/
# and printed.
set -euo pipefail
build=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-20}
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../../.." && pwd)/shared
repo=$(cd "$here/../.." && pwd)
out="$build/fuzz/artifacts"
mkdir -p "$out"
status=0
failed=()
for bin in "$build"/fuzz/*_fuzz; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin" _fuzz)
  work=$(mktemp -d)
  corpora=("$work")
  [ -d "$here/corpus/$name" ] && corpora+=("$here/corpus/$name")
  # Extra seed folders from ../shared, one path per line in corpus/<name>.shared.
  if [ -f "$here/corpus/$name.shared" ]; then
    while IFS= read -r rel; do
      [ -n "$rel" ] && [ -d "$shared/$rel" ] && corpora+=("$shared/$rel")
    done < "$here/corpus/$name.shared"
  fi
  # Seed folders inside this repository, one repo-relative path per line in corpus/<name>.repo
  # (e.g. the hostile configuration corpus, tests/hostile/).
  if [ -f "$here/corpus/$name.repo" ]; then
    while IFS= read -r rel; do
      [ -n "$rel" ] && [ -d "$repo/$rel" ] && corpora+=("$repo/$rel")
    done < "$here/corpus/$name.repo"
  fi
  dict=()
  [ -f "$here/dict/$name.dict" ] && dict=(-dict="$here/dict/$name.dict")
  echo "fuzz-smoke: $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$out/$name-" "${dict[@]}" "${corpora[@]}" \
      > "$work.log" 2>&1; then
    echo "fuzz-smoke: $name FAILED"; tail -40 "$work.log"; status=1; failed+=("$name")
  else
    grep -E '^stat::number_of_executed_units' "$work.log" || true
  fi
  rm -rf "$work" "$work.log"
done
# Named again last, so that a log cut to its end still says which target failed.
if [ "$status" -ne 0 ]; then
  echo "fuzz-smoke: FAILED: ${failed[*]} (crashing inputs in $out/)"
fi
exit $status
