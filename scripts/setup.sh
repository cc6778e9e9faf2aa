#!/usr/bin/env bash
# Shared set-up for demo.sh and test.sh: install what is missing, configure, build.
# Sourced, not run. Sets PDIG_ROOT and PDIG_BUILD.

PDIG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PDIG_BUILD=${PDIG_BUILD:-$PDIG_ROOT/build}

# Build tools and libraries, then the oracles the tests compare against.
PDIG_PACKAGES=(
  build-essential cmake pkg-config python3 linux-libc-dev
  libseccomp-dev libunwind-dev check libyaml-dev zlib1g-dev libre2-dev libcurl4-openssl-dev libmicrohttpd-dev
  sysdig libfalcosecurity0-dev strace util-linux procps bc tmux stress-ng
  clang libclang-rt-14-dev
  shellcheck python3-yaml busybox-static openssl
  openssh-client iproute2
)

pdig_install_missing() {
  local missing=() p
  for p in "${PDIG_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "pdig: missing packages: ${missing[*]}" >&2
    echo "pdig: run this script as root, or install them: apt-get install ${missing[*]}" >&2
    return 1
  fi
  echo "pdig: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: sysdig would otherwise pull in its kernel module
  # (dkms and kernel headers), which pdig exists to do without.
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

pdig_build() {
  cmake -S "$PDIG_ROOT" -B "$PDIG_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
    cmake --build "$PDIG_BUILD" -j"$(nproc)"
}
