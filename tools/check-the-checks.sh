#!/usr/bin/env bash
# Proves that `cargo test` catches what it promises to catch: in a throw-away
# clone of HEAD, it breaks the book in one way at a time and requires
# `cargo test` to fail with a message that names the listing.
#
#   tools/check-the-checks.sh            # all mutations (about 5 minutes on 2 cores)
#
# Each mutation is undone (git checkout) before the next one.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/book"
cd "$work/book"
# Reuse the registry crates already compiled for the repository.
export CARGO_TARGET_DIR="$repo/target/check-the-checks"

failures=0
expect_failure() {
    local what=$1 needle=$2
    local log="$work/log.txt"
    local start=$SECONDS
    if cargo test >"$log" 2>&1; then
        echo "NOT CAUGHT: $what: cargo test passed"
        failures=$((failures + 1))
    elif ! grep -q -- "$needle" "$log"; then
        echo "CAUGHT BUT UNNAMED: $what: cargo test failed without naming '$needle'"
        tail -20 "$log"
        failures=$((failures + 1))
    else
        echo "caught: $what ($((SECONDS - start)) s): $(grep -m1 -- "$needle" "$log" | cut -c1-160)"
    fi
    git checkout -q -- . && git clean -qfd
}

echo "baseline: cargo test on the unchanged clone"
if ! cargo test >"$work/log.txt" 2>&1; then
    tail -40 "$work/log.txt"
    echo "the unchanged book fails its tests: nothing to check"
    exit 1
fi

thread=listings/three-models/print-numbers-thread
sed -i 's|^fn main() {|fn main() {\n    panic!("a bug");|' $thread/src/main.rs
expect_failure "a panic! added to a listing" "print-numbers-thread"

sed -i '4s/3/8/' $thread/output.txt
expect_failure "one character changed in a shown output" "print-numbers-thread"

sed -i 's|^fn main() {|fn main() {\n    loop {}|' $thread/src/main.rs
expect_failure "an endless loop in a listing" "print-numbers-thread"

sample=listings/three-models/spawn-borrow-no-move
sed -i 's/thread::spawn(|| {/thread::spawn(move || {/' $sample/src/main.rs
expect_failure "a compile_fail sample edited so that it compiles" "spawn-borrow-no-move"

sed -i 's/let total: i32 = prices.iter().sum();/let total: i32 = prices.iter().sum();\n        let unknown: u8 = "text";/' $sample/src/main.rs
expect_failure "a compile_fail sample edited to fail with another error code" "spawn-borrow-no-move"

mkdir -p listings/three-models/orphan-listing/src
cat > listings/three-models/orphan-listing/Cargo.toml <<'TOML'
[package]
name = "orphan-listing"
description = "A listing no chapter includes"
version.workspace = true
edition.workspace = true
publish.workspace = true
license.workspace = true
TOML
echo 'fn main() {}' > listings/three-models/orphan-listing/src/main.rs
expect_failure "a listing crate that no chapter includes" "orphan-listing"

if [ "$failures" -ne 0 ]; then
    echo "$failures mutation(s) not caught"
    exit 1
fi
echo "all mutations caught"
