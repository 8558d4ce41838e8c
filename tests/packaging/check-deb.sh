#!/bin/sh
# Checks the Debian package that `make deb` built: lintian reports no error (warnings are
# printed), dpkg-deb lists every file where it belongs, /etc/vigil/vigil.yaml is a conffile,
# the dependencies were computed, and the maintainer scripts parse.
# Usage: check-deb.sh DEB_BUILD_DIR   (the newest *.deb there is checked)
# Run by `make test-package` (part of `make test`).
set -u
dir=${1:?usage: check-deb.sh DEB_BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
deb=$(ls -t "$dir"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "FAIL: no .deb in $dir (run make deb)"; exit 1; }
echo "checking $deb"
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. lintian: no errors. Tags are listed so that warnings show in the log.
if command -v lintian >/dev/null 2>&1; then
  lintian --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1
  sed 's/^/  lintian: /' "$work/lintian"
  if grep -q '^E: ' "$work/lintian"; then
    echo "FAIL: lintian reports errors"; fail=1
  else
    echo "ok: lintian: no errors ($(grep -c '^W: ' "$work/lintian") warnings)"
  fi
else
  echo "FAIL: lintian is not installed (make test-deps installs it)"; fail=1
fi

# 2. The files, at their paths.
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's#^\./#/#' >"$work/files"
for f in /usr/sbin/vigil /lib/systemd/system/vigil.service /usr/lib/sysusers.d/vigil.conf \
         /usr/lib/tmpfiles.d/vigil.conf /etc/vigil/vigil.yaml /etc/vigil/rules.d/ \
         /usr/share/man/man8/vigil.8.gz /usr/share/doc/vigil/README.md \
         /usr/share/doc/vigil/installation.md /usr/share/doc/vigil/configuration.md \
         /usr/share/doc/vigil/copyright /usr/share/doc/vigil/changelog.Debian.gz; do
  if grep -qx "$f" "$work/files"; then echo "ok: $f"; else echo "FAIL: $f is not in the package"; fail=1; fi
done
# Rule packs, when the tree has some.
for p in "$src"/rules/packs/*.yaml; do
  [ -e "$p" ] || continue
  f=/usr/share/vigil/packs/$(basename "$p")
  if grep -qx "$f" "$work/files"; then echo "ok: $f"; else echo "FAIL: $f is not in the package"; fail=1; fi
done
# Nothing under /usr/local or a build directory.
if grep -E '^/usr/local|/tmp/|/build' "$work/files"; then echo "FAIL: stray paths above"; fail=1; fi

# 3. Control data: conffiles, computed dependencies, maintainer scripts.
dpkg-deb -e "$deb" "$work/control"
if grep -qx /etc/vigil/vigil.yaml "$work/control/conffiles" 2>/dev/null; then
  echo "ok: /etc/vigil/vigil.yaml is a conffile"
else
  echo "FAIL: /etc/vigil/vigil.yaml is not a conffile"; fail=1
fi
depends=$(dpkg-deb -f "$deb" Depends)
case "$depends" in
  *libc6*libpcap* | *libpcap*libc6*) echo "ok: Depends: $depends" ;;
  *) echo "FAIL: Depends lacks the computed shared-library dependencies: $depends"; fail=1 ;;
esac
for s in postinst prerm postrm; do
  if [ -x "$work/control/$s" ] && sh -n "$work/control/$s"; then echo "ok: $s"
  else echo "FAIL: $s missing, not executable or not valid sh"; fail=1; fi
done
exit $fail
