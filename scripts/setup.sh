#!/usr/bin/env bash
# Installs the Debian 12 packages GridKE needs (only those missing), then configures and builds.
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
# Idempotent. Uses apt-get as root, sudo otherwise; says clearly what to do if neither works.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${1:-build}
shift || true

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libserd-dev libsord-dev libraptor2-dev serdi sordi raptor2-utils
  libssl-dev libboost-system-dev libjemalloc-dev
  libeigen3-dev nlohmann-json3-dev libsqlite3-dev sqlite3
  libgtest-dev libgmock-dev libbenchmark-dev hyperfine wrk hey
  clang clang-format libclang-rt-14-dev
  mosquitto libpaho-mqtt-dev libpaho-mqttpp-dev
  python3 python3-requests python3-yaml python3-numpy python3-scipy
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} missing package(s): ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "setup: these Debian packages are missing and I am neither root nor able to use sudo:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    echo "setup: run that as root, then run this script again." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PACKAGES[@]} Debian packages present"
fi

JOBS=${GRIDKE_JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -G Ninja "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
echo "setup: built into $BUILD_DIR/ (the command is $BUILD_DIR/gridke)"
