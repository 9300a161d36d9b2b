#!/usr/bin/env bash
# Install test (CI, after the test suite): packs the .deb from build/, installs it with apt-get like a user
# would, checks the installed flowguard (--version, headless on a temporary database and port, one event in
# and back out over HTTP), then purges it and checks that it left nothing in /usr. Needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_get() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -o DPkg::Lock::Timeout=600 "$@"; }

cmake --build build -j2 --target flowguard flowguard-inject manpages
rm -f build/flowguard_*.deb
(cd build && cpack -G DEB >/dev/null)
deb=$(ls "$root"/build/flowguard_*.deb)
echo "install-test: $deb"
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {sub(/^\./, "", $6); print $6}')

work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

apt_get install --no-install-recommends "$deb"
for f in $files; do
  [ -e "$f" ] || { echo "install-test: $f not installed" >&2; exit 1; }
done
test "$(command -v flowguard)" = /usr/bin/flowguard
version=$(flowguard --version)
expected=$(sed -n 's/^project(FlowGuard VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
echo "install-test: $version"
[ "$version" = "flowguard $expected" ] || { echo "install-test: expected version $expected" >&2; exit 1; }
flowguard-inject --help >/dev/null
man -w flowguard >/dev/null
if command -v systemd-analyze >/dev/null; then systemd-analyze verify /usr/lib/systemd/user/flowguard.service; fi

# Headless on a temporary database and a free port, as an unprivileged user would run it.
HOME=$work XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data \
  flowguard --headless --listen 127.0.0.1:0 --db "$work/fg.db" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$work/out" && break; sleep 0.1; done
addr=$(sed -n 's/^listening on //p' "$work/out")
[ -n "$addr" ] || { cat "$work/err" >&2; exit 1; }
curl -fsS -d '{"service":"install-test","level":"ERROR","message":"installed and answering"}' \
  "http://$addr/api/ingest/logs" | grep -q '"accepted":1'
curl -fsS "http://$addr/api/logs?service=install-test" | grep -q 'installed and answering'
kill -TERM "$pid"
wait "$pid"
pid=""
echo "install-test: ingested and read back one event on $addr"

apt_get purge flowguard
left=""
for f in $files; do
  [ -e "$f" ] && left="$left $f"
done
if [ -n "$left" ] || dpkg-query -W flowguard >/dev/null 2>&1; then
  echo "install-test: left behind after purge:$left" >&2
  exit 1
fi
echo "install-test: purged, nothing left in /usr"
