#!/usr/bin/env bash
# Install the Debian packages the tests use for real (PostgreSQL …) when they are missing,
# then run each scripts/setup.d/*.sh (other real parts: npm packages …).
set -euo pipefail
cd "$(dirname "$0")"
missing=()
while read -r package probe; do
  [[ -z "${package}" || "${package}" == \#* ]] && continue
  # shellcheck disable=SC2086
  if ! compgen -G ${probe} >/dev/null && ! command -v "${probe}" >/dev/null 2>&1; then
    missing+=("${package}")
  fi
done < <(cat system-packages.d/*.txt)
run_setup() {
  for hook in setup.d/*.sh; do
    [[ -e "${hook}" ]] || continue
    "./${hook}"
  done
}
if ((${#missing[@]} == 0)); then
  run_setup
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts services it installs; the tests start their own servers instead.
for service in postgresql prometheus prometheus-alertmanager nginx; do
  $sudo service "${service}" stop >/dev/null 2>&1 || true
done
run_setup
