#!/usr/bin/env bash
# Every test smallscope has: type checks, unit tests (vitest), then the app built and driven in Debian's chromium.
# Installs chromium from Debian when it is missing (Playwright never downloads a browser here).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "test: installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

mkdir -p test-results
npm run --silent check
# Built before the unit tests: tests/app/server/ drive the production server over build/.
npm run --silent build
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json
SMALLSCOPE_SKIP_BUILD=1 npm run --silent test:browser

# One closing line for every suite together.
node scripts/summarize-tests.js test-results/*.json
