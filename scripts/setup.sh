#!/usr/bin/env bash
# Installs every Debian package weft needs to build, test and benchmark. Idempotent:
# packages already present are skipped, and apt is not touched when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build clang lld ccache pkg-config
  libboost1.81-all-dev libboost-url1.81-dev
  libcurl4-openssl-dev libssl-dev zlib1g-dev libbrotli-dev libzstd-dev libpsl-dev
  libgumbo-dev libre2-dev libsqlite3-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  catch2 clang-16 lld-16 libclang-rt-16-dev
  nginx-light redis-server libhiredis-dev postgresql-15 libpq-dev wrk python3 time bc
  chromium
  python3.11-doc libboost1.81-doc postgresql-doc-15
  python3-parsel
  nodejs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present" >&2

# webrecorder's warcio, the independent WARC reader the record/replay test runs
# (tests/integration/crawl_warc_test.cpp, tests/node/warcio_dump.mjs); pinned by
# tests/node/package-lock.json, installed into tests/node/node_modules.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ ! -f "$root/tests/node/node_modules/warcio/package.json" ]]; then
  if ! command -v npm >/dev/null; then # NodeSource's nodejs has npm; Debian's comes apart
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  echo "setup: installing warcio (npm) into tests/node/node_modules" >&2
  npm ci --prefix "$root/tests/node" --no-audit --no-fund --silent
fi
echo "setup: warcio present" >&2
