#!/usr/bin/env bash
# Runs the whole CTest suite on the tree built by tools/bootstrap.sh (or on BUILD_DIR, e.g. the sanitizer
# tree of tools/sanitize-ci.sh), inside a private session D-Bus with an unlocked gnome-keyring so that
# notification and keychain tests talk to real services.
#   bash tools/run-tests.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
cd "${1:-build}"
exec dbus-run-session -- sh -c '
  export HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)" FLOWGUARD_TEST_SESSION=1
  chmod 700 "$XDG_RUNTIME_DIR"
  printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
  ctest --output-on-failure -j2 --timeout 600
'
