#!/usr/bin/env bash
# Installs the system packages airlock builds and tests against (Debian/Ubuntu), only if missing.
# zlib1g-dev: gzip input; libsqlite3-dev: the review store (GRDB); coinor-libclp-dev: the LP solver
# of the differencing audit; libreadstat-dev: Stata, SPSS and SAS inputs of `airlock tabulate`;
# pkg-config: finds them.
set -euo pipefail
packages=(zlib1g-dev libsqlite3-dev coinor-libclp-dev libreadstat-dev pkg-config)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
