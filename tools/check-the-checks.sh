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
# expect_failure WHAT MESSAGE...: cargo test must fail, and its output must
# contain every MESSAGE (fixed strings: the failure lines that name the listing).
expect_failure() {
    local what=$1
    shift
    local log="$work/log.txt"
    local start=$SECONDS
    if cargo test --no-fail-fast >"$log" 2>&1; then
        echo "NOT CAUGHT: $what: cargo test passed"
        failures=$((failures + 1))
    else
        echo "caught: $what (cargo test failed after $((SECONDS - start)) s)"
        local needle
        for needle in "$@"; do
            if grep -qF -- "$needle" "$log"; then
                echo "    said: \"${needle:0:110}\""
            else
                echo "    MISSING from the output: $needle"
                failures=$((failures + 1))
            fi
        done
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
expect_failure "a panic! added to a listing" \
    "listing print-numbers-thread (run 1): ended with exit status: 101" \
    "test three_models_sect_three_models_print_numbers_thread_line_3 ... FAILED"

sed -i '4s/3/8/' $thread/output.txt
expect_failure "one character changed in a shown output" \
    "listing print-numbers-thread (run 1): output differs from listings/three-models/print-numbers-thread/output.txt (shown in src/three-models.md"

sed -i 's|^fn main() {|fn main() {\n    loop {}|' $thread/src/main.rs
expect_failure "an endless loop in a listing" \
    "listing print-numbers-thread (run 1): still running after 20 s" \
    "test three_models_sect_three_models_print_numbers_thread_line_3 ... FAILED" \
    "watchdog: " \
    "the watchdog killed a snippet that ran longer than 20 s"

sample=listings/three-models/spawn-borrow-no-move
sed -i 's/thread::spawn(|| {/thread::spawn(move || {/' $sample/src/main.rs
expect_failure "a compile_fail sample edited so that it compiles" \
    "listing listings/three-models/spawn-borrow-no-move: compiles, but the book says it does not"

sed -i 's/let total: i32 = prices.iter().sum();/let total: i32 = prices.iter().sum();\n        let unknown: u8 = "text";/' $sample/src/main.rs
expect_failure "a compile_fail sample edited to fail with another error code" \
    "listing listings/three-models/spawn-borrow-no-move: fails with {\"E0308\"}, but the book names {\"E0373\"}"

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
expect_failure "a listing crate that no chapter includes" \
    "listing listings/three-models/orphan-listing is included by no chapter in src/"

if [ "$failures" -ne 0 ]; then
    echo "$failures mutation(s) not caught"
    exit 1
fi
echo "all mutations caught"
