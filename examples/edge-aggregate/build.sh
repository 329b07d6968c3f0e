#!/bin/sh
# Bundles the two Workers for workerd (run from the project root or anywhere).
set -e
cd "$(dirname "$0")"
ESBUILD="../../node_modules/.bin/esbuild"
for w in edge aggregator; do
  "$ESBUILD" "$w.ts" --bundle --format=esm --platform=neutral --external:'node:*' \
    --log-level=warning --outfile="$w.js"
done
