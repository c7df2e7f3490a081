# Sourced by scripts/serve and scripts/test: installs whatever is missing, idempotently,
# and exports the paths the other scripts use. Nothing here downloads a prebuilt binary
# except through a package registry (crates.io, npm, Debian).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Builds and tools live outside the clone so a fresh clone (CI) reuses them.
CACHE="${AML_CACHE_DIR:-$HOME/.cache/aml-playground}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
TOOLS="$CACHE/tools"
export PATH="$TOOLS/bin:$PATH"
# Mesa's Vulkan loader complains on every start without one.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

TRUNK_VERSION=0.21.14          # trunk 0.22 needs rustc 1.96

# The page's module (the site, scripts/serve, the in-browser tests) is linked with fat LTO and
# one codegen unit, the link-time pass optimising for size (the sizes: README, "A static
# site"). Each crate is still optimised at its own level first (Cargo.toml), so the
# CPU backend's loops arrive vectorised. Only for wasm32 builds: cargo cannot set LTO per
# target, and the native binaries and tests stay as they are. Every wasm32 build must use
# the same settings, or each would rebuild the other's crates.
web_build() { CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_OPT_LEVEL=z "$@"; }

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown && return
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
}

ensure_lint_tools() {
  local missing=()
  cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
  [ ${#missing[@]} -eq 0 ] && return
  log "adding rust components: ${missing[*]}"
  rustup component add "${missing[@]}"
}

ensure_trunk() {
  if trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then return; fi
  log "installing trunk $TRUNK_VERSION into $TOOLS (several minutes, once)"
  cargo install --locked --target-dir "$CACHE/tools-build" --root "$TOOLS" trunk --version "$TRUNK_VERSION"
}

ensure_wasm_bindgen() {
  local v; v="$(wasm_bindgen_version)"
  if wasm-bindgen --version 2>/dev/null | grep -q " $v\$"; then return; fi
  log "installing wasm-bindgen-cli $v into $TOOLS (a few minutes, once)"
  if cargo install --locked --target-dir "$CACHE/tools-build" --root "$TOOLS" wasm-bindgen-cli --version "$v"; then return; fi
  # Its lockfile names webpki-roots 1.0.11, which was yanked: unpack the crate cargo just
  # downloaded, pin 1.0.10 and install from that copy, still --locked.
  log "retrying wasm-bindgen-cli with webpki-roots pinned to 1.0.10"
  local crate src
  crate="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/wasm-bindgen-cli-"$v".crate | head -n1)"
  src="$(mktemp -d)"
  tar -xzf "$crate" -C "$src"
  (cd "$src/wasm-bindgen-cli-$v" && cargo update --quiet -p webpki-roots --precise 1.0.10 &&
    cargo install --locked --target-dir "$CACHE/tools-build" --root "$TOOLS" --path .)
  rm -rf "$src"
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: ${missing[*]}; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_browser() { apt_install chromium chromium-driver mesa-vulkan-drivers libvulkan1; }

ensure_e2e_deps() {
  [ -d "$ROOT/e2e/node_modules/playwright-core" ] && return
  log "installing the end-to-end test driver (playwright-core, no browser download)"
  (cd "$ROOT/e2e" && npm ci --silent --no-audit --no-fund)
}

ensure_web_toolchain() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_trunk
  # Trunk.toml pins wasm_bindgen to Cargo.lock's version; trunk is offline and finds it on PATH.
  grep -q "wasm_bindgen = \"$(wasm_bindgen_version)\"" "$ROOT/Trunk.toml" ||
    { echo "error: Trunk.toml's wasm_bindgen differs from Cargo.lock's $(wasm_bindgen_version)" >&2; exit 1; }
}
