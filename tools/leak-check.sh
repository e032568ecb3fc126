#!/usr/bin/env bash
# Runs a command (by default `cargo test`) and then fails if it left anything
# behind: a process started from this repository's target directory (a
# listing, or a snippet skeptic compiled), anything in the private TMPDIR the
# command runs with, a new entry in the system's temporary directory (a
# file, a directory, a Unix socket), or a new POSIX shared memory object in
# /dev/shm. Run it on an otherwise idle machine: it
# cannot tell another program's new files in /tmp from the suite's.
#
#   tools/leak-check.sh               # cargo test
#   tools/leak-check.sh cargo test -q # any command
#
# The harness already checks each run of a listing on its own (tests/common/run.rs:
# its own process group, an empty working directory and TMPDIR); this checks the
# whole suite, skeptic's runs included.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- cargo test
tmp=${TMPDIR:-/tmp}
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

list_tmp() { find "$tmp" -mindepth 1 -maxdepth 1 -printf '%y %p\n' 2>/dev/null | sort; }
# POSIX shared memory objects (shm_open) live in /dev/shm on Linux.
list_shm() { find /dev/shm -mindepth 1 -maxdepth 1 -printf '%y %p\n' 2>/dev/null | sort; }
# Processes whose executable lives under the target directory: "pid path".
ours() {
    for proc in /proc/[0-9]*; do
        path=$(readlink "$proc/exe" 2>/dev/null) || continue
        case $path in "$target"/*) echo "${proc#/proc/} $path" ;; esac
    done | sort
}

before_tmp=$(list_tmp)
before_shm=$(list_shm)
before_procs=$(ours)
# The run gets a temporary directory of its own, which must be empty after it.
private=$(mktemp -d "$tmp/leak-check.XXXXXX")
TMPDIR=$private "$@"
status=$?
sleep 1 # let processes killed at the end of the run be reaped

problems=0
left_private=$(find "$private" -mindepth 1 -printf '%y %p\n' | sort)
if [ -n "$left_private" ]; then
    echo "leak-check: left in the run's own TMPDIR:"
    echo "$left_private"
    problems=1
fi
rm -rf "$private"
left_tmp=$(comm -13 <(echo "$before_tmp") <(list_tmp))
if [ -n "$left_tmp" ]; then
    echo "leak-check: new entries in $tmp after the run:"
    echo "$left_tmp"
    problems=1
fi
left_shm=$(comm -13 <(echo "$before_shm") <(list_shm))
if [ -n "$left_shm" ]; then
    echo "leak-check: new shared memory objects in /dev/shm after the run:"
    echo "$left_shm"
    problems=1
fi
left_procs=$(comm -13 <(echo "$before_procs") <(ours))
if [ -n "$left_procs" ]; then
    echo "leak-check: processes from $target still running after the run:"
    echo "$left_procs"
    problems=1
fi
if [ "$problems" -eq 0 ]; then
    echo "leak-check: nothing left behind in $tmp or /dev/shm, no process from $target running"
fi
[ "$status" -eq 0 ] || exit "$status"
exit "$problems"
