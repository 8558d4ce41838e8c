#!/bin/sh
# Checks the systemd files as systemd itself reads them:
#   1. `systemd-analyze verify` of vigil.service finds nothing (no output at all);
#   2. `systemd-analyze security --offline=true` rates its exposure 2.5 or better;
#   3. systemd-sysusers and systemd-tmpfiles, run on an empty root, create the vigil user
#      and its directories as the snippets say.
# Usage: check-unit.sh UNIT VIGIL_BINARY MAN_DIR SYSUSERS_CONF TMPFILES_CONF
# UNIT is the configured unit; its ExecStart names the installed binary, which need not
# exist here, so a copy naming VIGIL_BINARY is verified (everything else unchanged).
# MAN_DIR holds man8/vigil.8.gz for the Documentation=man:vigil(8) check ("" skips it).
# Exit 77 (skipped) when systemd-analyze is missing.
set -u
unit=$1 vigil=$2 man_dir=$3 sysusers=$4 tmpfiles=$5
max_exposure=2.5

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze not installed (Debian package systemd)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# 1. verify: the unit with ExecStart pointing at the built binary.
grep -q '^ExecStart=/[^ ]*/vigil run ' "$unit" || { echo "FAIL: unexpected ExecStart in $unit"; exit 1; }
sed "s#^ExecStart=/[^ ]*/vigil #ExecStart=$vigil #" "$unit" > "$work/vigil.service"
man_opt="--man=no"
if [ -n "$man_dir" ] && [ -f "$man_dir/man8/vigil.8.gz" ]; then man_opt="--man=yes"; fi
out=$(MANPATH="$man_dir" systemd-analyze verify "$man_opt" "$work/vigil.service" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  echo "FAIL: systemd-analyze verify (exit $rc):"; echo "$out"; fail=1
else
  echo "ok: systemd-analyze verify $man_opt: no findings"
fi

# 2. security: parse "Overall exposure level for vigil.service: 2.3 OK".
out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
  echo "FAIL: no exposure level in systemd-analyze security output:"; echo "$out"; fail=1
elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
  echo "ok: exposure $score <= $max_exposure"
else
  printf '%s\n' "$out" | grep '✗'
  echo "FAIL: exposure $score > $max_exposure"; fail=1
fi

# 3. sysusers and tmpfiles, in an empty root.
root="$work/root"
mkdir -p "$root/etc"
if ! systemd-sysusers --root="$root" "$sysusers" >"$work/sysusers.log" 2>&1; then
  echo "FAIL: systemd-sysusers:"; cat "$work/sysusers.log"; fail=1
fi
entry=$(grep '^vigil:' "$root/etc/passwd" 2>/dev/null)
case "$entry" in
  vigil:x:*:*:*:/var/lib/vigil:/usr/sbin/nologin) echo "ok: sysusers: $entry" ;;
  *) echo "FAIL: sysusers made no vigil user with home /var/lib/vigil, shell nologin: '$entry'"; fail=1 ;;
esac
uid=$(echo "$entry" | cut -d: -f3)
if ! systemd-tmpfiles --root="$root" --create "$tmpfiles" >"$work/tmpfiles.log" 2>&1; then
  echo "FAIL: systemd-tmpfiles:"; cat "$work/tmpfiles.log"; fail=1
fi
for d in var/lib/vigil var/log/vigil; do
  got=$(stat -c '%u %a' "$root/$d" 2>/dev/null)
  if [ "$got" = "$uid 750" ]; then echo "ok: tmpfiles: /$d owned by vigil, mode 750"
  else echo "FAIL: tmpfiles: /$d is '$got', want '$uid 750'"; fail=1; fi
done
exit $fail
