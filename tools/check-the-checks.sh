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
# The suite's own target directory: the registry crates are compiled once for
# both (the clone's own crates live beside the repository's, under other
# hashes, since their paths differ).
export CARGO_TARGET_DIR="$repo/target"
unset BLESS

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
# (Behind a condition that always holds: code after a bare panic! would be
# unreachable, and that warning alone fails the build before any run.)
sed -i 's|^fn main() {|fn main() {\n    if std::env::var_os("BOOK_NO_SUCH_VARIABLE").is_none() {\n        panic!("a bug");\n    }|' $thread/src/main.rs
expect_failure "a panic! added to a listing" \
    "listing print-numbers-thread: ended with exit status: 101" \
    "---- print-numbers-thread::run ----"

sed -i '4s/3/8/' $thread/output.txt
expect_failure "one character changed in a shown output" \
    "listing print-numbers-thread: output differs from listings/three-models/print-numbers-thread/output.txt (shown in src/three-models.md" \
    "To show this run's output instead: BLESS=print-numbers-thread cargo test -- print-numbers-thread"

sed -i 's|^fn main() {|fn main() {\n    while std::env::var_os("BOOK_NO_SUCH_VARIABLE").is_none() {}|' $thread/src/main.rs
expect_failure "an endless loop in a listing" \
    "listing print-numbers-thread: still running after 20 s; killed it and its process group"

# The checked runs are skeptic's build of the text the reader sees: a
# stand-in compiler that keeps skeptic's own edition (2021) must fail the
# run of the listing whose lesson differs between editions. The edition is
# also part of the name of skeptic's cached executables (`rustc -vV`).
perl -0pi -e 's/rustc\.args\(with_edition\(&args, &edition\)\);/rustc.args(&args);/; s/book-skeptic-edition: \{\}\\n/book-skeptic-edition: {} (not applied)\\n/' \
    tests/common/skeptic_rustc.rs
if [ "$(grep -c 'rustc.args(&args);' tests/common/skeptic_rustc.rs)" != 1 ] ||
    ! grep -q 'not applied' tests/common/skeptic_rustc.rs; then
    echo "NOT APPLIED: the edition mutation did not change tests/common/skeptic_rustc.rs"
    failures=$((failures + 1))
fi
expect_failure "skeptic compiling the book as edition 2021" \
    "this was not built as edition 2024" \
    "---- threads-guard-held-too-long::run ----" \
    "skeptic did not compile a program only edition 2024 accepts"

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

# Most listings are built by skeptic alone: a compiler warning in one must
# still fail, and so must a crate its source names but its Cargo.toml lacks
# (skeptic hands every program all the root package's crates).
sed -i 's|^fn main() {|fn main() {\n    let unused_in_main = 1;|' $thread/src/main.rs
expect_failure "a compiler warning in a listing that skeptic builds" \
    "---- print-numbers-thread::skeptic ----" \
    "skeptic: the compiler refused the program"

sed -i 's|^fn main() {|fn main() {\n    let _ = rayon::current_num_threads();|' $thread/src/main.rs
expect_failure "a listing that uses a crate its Cargo.toml does not list" \
    "listing print-numbers-thread uses the crate \`rayon\`, which its Cargo.toml does not list"

# A Cargo.toml line shown on a page (not the set-up page) that asks for a
# feature the workspace does not give the listings.
sed -i 's/"rt", "rt-multi-thread"/"rt", "fs", "rt-multi-thread"/' src/async/futures.md
expect_failure "a page's Cargo.toml line with a feature the workspace lacks" \
    "src/async/futures.md (expanded line" \
    "features [fs, io-util, macros"

# Every page back in the search: the index passes the 10 MB at which mdBook
# warns, and the render must fail as the reader's `mdbook build` would warn.
sed -i '/= { enable = false }/d' book.toml
expect_failure "a search index past mdBook's 10 MB warning" \
    "mdBook warned that the search index is too large" \
    "search index is very large"

# A listing shown in parts whose second caption does not say which part it
# is: a reader takes the part for a new program.
taskdump=src/debugging/async-hang.md
sed -i 's#debug-async-taskdump</code>, part 2 of 2 ·#debug-async-taskdump</code> ·#' $taskdump
if grep -qF 'debug-async-taskdump</code>, part 2 of 2' $taskdump; then
    echo "NOT APPLIED: the caption mutation did not change $taskdump"
    failures=$((failures + 1))
fi
expect_failure "the caption of a listing's second part without 'part 2 of 2'" \
    "src/debugging/async-hang.md, block" \
    "Listing <code>debug-async-taskdump</code>, part 2 of 2 ·"

# The lost-update demo counted with fetch_add inside its "load, then store"
# loop: no update is lost, so its lesson does not show.
lost=listings/threads/threads-lost-update/src/main.rs
perl -0pi -e 's/let seen = visits\.load\(SeqCst\);\s*visits\.store\(seen \+ 1, SeqCst\);/visits.fetch_add(1, SeqCst);/' $lost
if [ "$(grep -c 'let seen = visits.load(SeqCst);' $lost)" != 1 ]; then
    echo "NOT APPLIED: the lost-update mutation did not change $lost"
    failures=$((failures + 1))
fi
expect_failure "a lost-update demo that loses nothing" \
    "no update was lost in 20 rounds" \
    "---- threads-lost-update::run ----"

# The figures mutations. Each figure in the prose is followed by a reference
# to its source (CONTRIBUTING.md, "Figures in the prose"); a changed digit
# in the figure, in its reference, or in what the reference points to must
# fail, naming the page and the claim. threads-prime-count's division shares
# are counted, not timed, so the same on every run and every machine.
# apply FILE FROM TO: replaces every FROM (a fixed string) in FILE by TO,
# and says so if FROM is not there (a mutation that changes nothing proves
# nothing).
apply() {
    if ! grep -qF -- "$2" "$1"; then
        echo "NOT APPLIED: \"$2\" is not in $1"
        failures=$((failures + 1))
        return 1
    fi
    FROM=$2 TO=$3 perl -pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$1"
}
if apply src/threads/speedup.md "62%<!-- fig threads-prime-count 7:3" "63%<!-- fig threads-prime-count 7:3"; then
    expect_failure "a figure in the prose changed by one digit" \
        "src/threads/speedup.md:" \
        "the figure \"63%\" is not what its source says: number 3 of line 7 of listings/threads/threads-prime-count/output.txt"
fi

# As if the listing had been re-blessed and had split the work 37/63: the
# page still says 62%.
if apply listings/threads/threads-prime-count/output.txt "38% 62%" "37% 63%"; then
    expect_failure "a figure the page quotes, changed in its re-blessed output" \
        "src/threads/speedup.md:" \
        "the figure \"62%\" is not what its source says"
fi

# The benchmark page's claims (issue 21): a measured time, from results.json.
compare=src/compare/index.md
compare_io=src/compare/io.md
tokio_claim="claim: tokio's multi-threaded runtime took"
if apply $compare_io "took 107.4 ms<!--" "took 107.5 ms<!--"; then
    expect_failure "the tokio sleep time changed by one digit in the prose" \
        "src/compare/io.md:" \
        "the figure \"107.5 ms\" is not what its source says" \
        "$tokio_claim 107.5 ms for 10,000 sleeps"
fi
if apply $compare_io "io[workload=sleep,model=tokio-tasks,n=10000]" "io[workload=sleep,model=tokio-tasks,n=1000]"; then
    expect_failure "the tokio sleep time's reference pointed at another value" \
        "src/compare/io.md:" \
        "the figure \"107.4 ms\" is not what its source says: src/compare/results.json io[workload=sleep,model=tokio-tasks,n=1000]" \
        "$tokio_claim 107.4 ms for 10,000 sleeps"
fi
if apply src/compare/results.json '"median_s": 0.107357248' '"median_s": 0.108357248'; then
    expect_failure "the tokio sleep time changed by one digit in results.json" \
        "src/compare/io.md:" \
        "the figure \"107.4 ms\" is not what its source says: src/compare/results.json io[workload=sleep,model=tokio-tasks,n=10000].time.median_s is 0.108357248" \
        "$tokio_claim 107.4 ms for 10,000 sleeps"
fi

# An input: a constant of tests/figures.toml, tied to the program's code.
if apply $compare "N concurrent waits of 100 ms<!--" "N concurrent waits of 200 ms<!--"; then
    expect_failure "the I/O wait changed by one digit in the prose" \
        "src/compare/index.md:" \
        "the figure \"200 ms\" is not what its source says: the constant compare-wait is \"100 ms\"" \
        "claim: N concurrent waits of 200 ms"
fi
perl -0pi -e 's/(name = "compare-wait"\nfigure = )"100 ms"/$1"200 ms"/' tests/figures.toml
if grep -A1 'name = "compare-wait"' tests/figures.toml | grep -qF 'figure = "200 ms"'; then
    expect_failure "the I/O wait changed by one digit in its constant" \
        "src/compare/index.md:" \
        "the figure \"100 ms\" refers to \`const compare-wait\`: the constant compare-wait: \"200 ms\" is not what \`wait: Duration::from_millis(100)\` sets" \
        "claim: N concurrent waits of 100 ms"
else
    echo "NOT APPLIED: the compare-wait constant in tests/figures.toml"
    failures=$((failures + 1))
fi
if apply listings/compare/compare-models/src/models.rs "wait: Duration::from_millis(100)," "wait: Duration::from_millis(200),"; then
    expect_failure "the I/O wait changed by one digit in the program" \
        "src/compare/index.md:" \
        "the constant compare-wait: \`wait: Duration::from_millis(100)\` is in listings/compare/compare-models/src/models.rs 0 times" \
        "claim: N concurrent waits of 100 ms"
fi
# A threshold of the tables: a decimal constant, tied to the program too.
if apply listings/compare/compare-models/src/tables.rs "const WIDE: f64 = 1.2;" "const WIDE: f64 = 1.3;"; then
    expect_failure "the tables' wide-spread threshold changed in the program" \
        "src/compare/method.md:" \
        "the constant compare-wide: \`const WIDE: f64 = 1.2;\` is in listings/compare/compare-models/src/tables.rs 0 times"
fi

# The clone's builds count as the repository's (cargo names a workspace's
# units by their path inside the workspace). The last mutation's build
# would stay in target/, and the repository's own next `cargo test` would
# take it as fresh, since the repository's files are older than it: build
# and test the restored clone once more.
echo "the restored clone: cargo test again, so that target/ keeps no mutated build"
if ! cargo test >"$work/log.txt" 2>&1; then
    tail -40 "$work/log.txt"
    echo "the restored clone fails its tests"
    failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures mutation(s) not caught"
    exit 1
fi
echo "all mutations caught"
