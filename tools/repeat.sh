#!/usr/bin/env bash
# Runs the README's test command again and again, to catch flaky listings.
#
#   tools/repeat.sh 20          # cargo test, 20 times in a row
#   tools/repeat.sh 5 --busy    # the same while another process keeps one core busy
#
# Stops at the first failure and keeps its log. Prints one line per run.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:?usage: tools/repeat.sh RUNS [--busy]}
busy=${2:-}
case $runs in '' | *[!0-9]*) echo "RUNS must be a whole number, not '$runs'" >&2; exit 2 ;; esac
if [ -n "$busy" ] && [ "$busy" != "--busy" ]; then
    echo "the second argument can only be --busy, not '$busy'" >&2
    exit 2
fi

cargo test --no-run -q 2>/dev/null || { echo "the tests do not build" >&2; exit 1; }
burner=""
if [ "$busy" = "--busy" ]; then
    # One core spinning for the whole series (the machine has two).
    ( while :; do :; done ) &
    burner=$!
    trap 'kill $burner 2>/dev/null' EXIT
    echo "a busy loop (pid $burner) keeps one core loaded"
fi

log=$(mktemp "${TMPDIR:-/tmp}/repeat-log.XXXXXX")
for run in $(seq 1 "$runs"); do
    start=$SECONDS
    if cargo test >"$log" 2>&1; then
        passed=$(grep -o 'test result: ok. [0-9]* passed' "$log" | awk '{s += $4} END {print s}')
        echo "run $run/$runs: passed ($passed tests) in $((SECONDS - start)) s"
    else
        echo "run $run/$runs: FAILED after $((SECONDS - start)) s; log kept in $log"
        grep -E "panicked|FAILED|problem" "$log" | head -20
        exit 1
    fi
done
rm -f "$log"
echo "$runs runs in a row passed${busy:+ with one core busy}"
