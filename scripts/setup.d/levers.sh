#!/usr/bin/env bash
# The Unleash server the levers tests toggle flags on, from npm, cached under .cache/.
# Idempotent: does nothing when the pinned version is already installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${UNLEASH_SERVER_VERSION:-7}"
target=".cache/unleash"
if [[ -f "${target}/node_modules/unleash-server/package.json" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "levers: npm not found; the Unleash test will be skipped" >&2
  exit 0
fi
mkdir -p "${target}"
[[ -f .cache/.gitignore ]] || echo "*" > .cache/.gitignore
cd "${target}"
[[ -f package.json ]] || echo '{"name": "stanch-unleash", "private": true}' > package.json
if ! npm install --no-audit --no-fund --loglevel=error "unleash-server@${version}" >/dev/null; then
  echo "levers: npm could not install unleash-server; the Unleash test will be skipped" >&2
fi
