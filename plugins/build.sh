#!/usr/bin/env bash
# Builds every Rust plugin component (first-party plugins under plugins/*/ and test fixtures
# under tests/fixtures/*/ — every crate whose Cargo.toml says `cdylib`) with ONE cargo invocation
# for wasm32-wasip2, and copies each to target/plugins/<package>.wasm. With --with-js it also
# builds the JavaScript notes fixture (tests/fixtures/notes-js, npm + componentize-js) into
# target/plugins/notes-js.wasm.
#
# The file is named after the package, which is the manifest id for every plugin except the
# fixtures broken-manifest (id "Bad Id!") and notes-js (id "notes", like notes.wasm).
#
# Usage: plugins/build.sh [--with-js]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

with_js=false
for arg in "$@"; do
  case "$arg" in
    --with-js) with_js=true ;;
    -h | --help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

target_dir="${CARGO_TARGET_DIR:-$root/target}"
out_dir="$target_dir/plugins"
mkdir -p "$out_dir"

packages=()
for manifest in plugins/*/Cargo.toml tests/fixtures/*/Cargo.toml; do
  [ -f "$manifest" ] || continue
  grep -q 'cdylib' "$manifest" || continue
  name="$(sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -n 1)"
  [ -n "$name" ] || { echo "no package name in $manifest" >&2; exit 1; }
  packages+=("$name")
done

if [ "${#packages[@]}" -eq 0 ]; then
  echo "no plugin crates found" >&2
  exit 1
fi

args=()
for p in "${packages[@]}"; do args+=(-p "$p"); done
cargo build --target wasm32-wasip2 --release "${args[@]}"

for p in "${packages[@]}"; do
  built="$target_dir/wasm32-wasip2/release/${p//-/_}.wasm"
  cp "$built" "$out_dir/$p.wasm"
  printf '%-24s %8d bytes\n' "$p.wasm" "$(wc -c < "$out_dir/$p.wasm")"
done

if [ "$with_js" = true ]; then
  tests/fixtures/notes-js/build.sh
  cp tests/fixtures/notes-js/notes-js.wasm "$out_dir/notes-js.wasm"
  printf '%-24s %8d bytes\n' "notes-js.wasm" "$(wc -c < "$out_dir/notes-js.wasm")"
fi

echo "components in $out_dir"
