#!/usr/bin/env bash
# Renders the app icon's hicolor PNG sizes from resources/icons/flowguard.svg (committed, so builds need no
# SVG renderer). Needs rsvg-convert (librsvg2-bin). Run after editing the SVG.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for size in 16 22 24 32 48 64 128 256; do
  rsvg-convert -w "$size" -h "$size" flowguard.svg -o "hicolor/flowguard-$size.png"
done
cp hicolor/flowguard-64.png flowguard.png # the window's built-in icon
