#!/bin/sh
# Renders the window's views to PNG (empty state, services overview, a service's timelines, logs, incidents, the
# alert history with an alert's evidence, Connect a client and Settings) under Xvfb,
# with generated history in a temporary database. Usage: tools/screenshots.sh [OUTDIR] [--dark] (default
# build/screenshots; --dark: under a dark palette).
set -eu
cd "$(dirname "$0")/.."
out=${1:-build/screenshots}
cmake --build build -j2 --target window_screenshots >/dev/null
if command -v xvfb-run >/dev/null 2>&1; then
  xvfb-run -a -s "-screen 0 1280x800x24" ./build/tests/window_screenshots "$out" ${2:-}
else
  QT_QPA_PLATFORM=offscreen ./build/tests/window_screenshots "$out" ${2:-}
fi
