#!/usr/bin/env bash
# Installs FlowGuard's Debian 12 build and test dependencies (only those missing), then configures and
# builds one Release tree in build/ used by both the app and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev libqt6sql6-sqlite
  qt6-charts-dev qt6-websockets-dev qt6-httpserver-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qtkeychain-qt6-dev libsecret-1-0 gnome-keyring libsecret-tools
  libsqlite3-dev sqlite3 libsimdjson-dev zlib1g-dev
  xvfb xauth fonts-dejavu-core dbus
  libcurl4-openssl-dev python3-aiosmtpd openssl curl libbenchmark-dev libzstd-dev
  help2man appstream desktop-file-utils dpkg-dev file rsyslog rsyslog-elasticsearch
  libprotobuf-dev protobuf-compiler libsnappy-dev libssl-dev
  # tools/sanitize-ci.sh: clang, its sanitizer and libFuzzer runtimes, llvm-symbolizer for readable stacks
  clang libclang-rt-14-dev llvm
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
