#!/usr/bin/env bash
# Builds the plugin components for wasm32-wasip2.
#
#   plugins/build.sh             first-party plugins (plugins/*/, every `cdylib` crate)
#                                → target/plugins/<package>.wasm, which `serve` loads
#   plugins/build.sh --fixtures  also the test fixtures (tests/fixtures/*/), the JavaScript
#                                notes fixture (npm + componentize-js) and the Python hello
#                                fixture (venv + componentize-py) → target/fixtures/
#
# One cargo invocation builds all Rust crates. `hello-v2.wasm` is the hello fixture built with
# its `v2` feature (a second version of the same plugin, for hot-reload tests), `reader-v2.wasm`
# the reader fixture's upgrade that asks for more (consent tests), `impostor.wasm` hello under
# another id (a storefront route clash), `sales-stand-in.wasm` the publisher as `sales`.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

fixtures=false
for arg in "$@"; do
  case "$arg" in
    --fixtures) fixtures=true ;;
    -h | --help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

target_dir="${CARGO_TARGET_DIR:-$root/target}"
wasm_dir="$target_dir/wasm32-wasip2/release"

# Package names of the cdylib crates under the given directory.
packages_in() {
  for manifest in "$1"/*/Cargo.toml; do
    [ -f "$manifest" ] || continue
    grep -q 'cdylib' "$manifest" || continue
    sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -n 1
  done
}

mapfile -t first_party < <(packages_in plugins)
fixture_packages=()
if [ "$fixtures" = true ]; then
  mapfile -t fixture_packages < <(packages_in tests/fixtures)
fi

all=("${first_party[@]}" "${fixture_packages[@]}")
if [ "${#all[@]}" -gt 0 ]; then
  args=()
  for p in "${all[@]}"; do args+=(-p "$p"); done
  cargo build --target wasm32-wasip2 --release "${args[@]}"
fi

# Copies a built package to <dir>/<name>.wasm and prints its size.
install_component() {
  mkdir -p "$2"
  cp "$wasm_dir/${1//-/_}.wasm" "$2/$3.wasm"
  printf '%-24s %9d bytes  %s\n' "$3.wasm" "$(wc -c < "$2/$3.wasm")" "$2"
}

mkdir -p "$target_dir/plugins"
for p in "${first_party[@]}"; do install_component "$p" "$target_dir/plugins" "$p"; done

if [ "$fixtures" = true ]; then
  for p in "${fixture_packages[@]}"; do install_component "$p" "$target_dir/fixtures" "$p"; done
  cargo build --target wasm32-wasip2 --release -p hello --features hello/v2
  install_component hello "$target_dir/fixtures" hello-v2
  cargo build --target wasm32-wasip2 --release -p reader --features reader/v2
  install_component reader "$target_dir/fixtures" reader-v2
  cargo build --target wasm32-wasip2 --release -p hello --features hello/impostor
  install_component hello "$target_dir/fixtures" impostor
  cargo build --target wasm32-wasip2 --release -p publisher --features publisher/sales
  install_component publisher "$target_dir/fixtures" sales-stand-in
  tests/fixtures/notes-js/build.sh
  cp tests/fixtures/notes-js/notes-js.wasm "$target_dir/fixtures/notes-js.wasm"
  printf '%-24s %9d bytes  %s\n' "notes-js.wasm" "$(wc -c < "$target_dir/fixtures/notes-js.wasm")" "$target_dir/fixtures"
  tests/fixtures/hello-py/build.sh
  cp tests/fixtures/hello-py/hello-py.wasm "$target_dir/fixtures/hello-py.wasm"
  printf '%-24s %9d bytes  %s\n' "hello-py.wasm" "$(wc -c < "$target_dir/fixtures/hello-py.wasm")" "$target_dir/fixtures"
fi
