#!/usr/bin/env bash
# Run the tests and end with exactly one line "N passed, N failed, N skipped".
#   tests/run.sh BUILD_DIR [PATTERN...]
# With patterns, only the tests whose name (unit/test_x, fuzz/fuzz_x,
# cli/x.sh) contains one of them run; a pattern that matches no test is a
# failure.  Unit tests (cmocka, TAP output), fuzz corpus replays and the
# end-to-end scripts (tests/cli/*.sh) are counted the same way, from their
# TAP lines:
#   ok - what                   a pass
#   not ok - what               a failure
#   ok - what # SKIP why        a skip (cmocka writes "not ok N # SKIP name")
# A test that exits non-zero without a "not ok", or that reports nothing at
# all, is a failure; so is a unit test or fuzz harness whose binary was not
# built, unless make left it out with an optional part (BUILD/not-built).
# Logs of every test are kept in BUILD_DIR/test-logs/.
set -u
build=${1:-build}
shift
patterns=("$@")
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export PORTSCOPE="$top/$build/portscope"
export PORTSCOPE_TOP="$top"
logs="$top/$build/test-logs"
mkdir -p "$logs"	# each log is rewritten; runs with different patterns can overlap
pass=0 fail=0 skipped=0
declare -A matched

# selected NAME: true when NAME contains one of the patterns (or none given).
selected() {
	local p hit=1
	[ ${#patterns[@]} -eq 0 ] && return 0
	for p in "${patterns[@]}"; do
		case "$1" in *"$p"*) matched[$p]=1; hit=0 ;; esac
	done
	return $hit
}

# count NAME LOGFILE EXITCODE: add the test's TAP lines to the totals.
count() {
	local name=$1 log=$2 rc=$3 p f s
	s=$(grep -ciE '^(not )?ok\b.*#[[:space:]]*skip' "$log")
	p=$(grep -E '^ok\b' "$log" | grep -civE '#[[:space:]]*skip')
	f=$(grep -E '^not ok\b' "$log" | grep -civE '#[[:space:]]*skip')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		f=1
		echo "not ok - $name ran no test" >>"$log"
	fi
	report "$name" "$p" "$f" "$s"
	[ "$f" -gt 0 ] && grep -vE '^ok\b' "$log" | grep -E '^not ok|^#' |
		grep -viE '^(not )?ok\b.*#[[:space:]]*skip' | sed 's/^/    /' | head -40
	[ "$s" -gt 0 ] && grep -iE '^(not )?ok\b.*#[[:space:]]*skip' "$log" |
		sed 's/^/    /' | head -10
	return 0
}

report() {	# report NAME PASSED FAILED SKIPPED
	pass=$((pass + $2)); fail=$((fail + $3)); skipped=$((skipped + $4))
	printf '%-40s %4d passed, %d failed, %d skipped\n' "$1" "$2" "$3" "$4"
}

# missing NAME SOURCE WHAT: a test whose binary is not there counts as a
# failure, unless the build left it out on purpose (BUILD/not-built, written
# by make: its optional part was not built): then it is a skip.
missing() {
	if grep -qwF -- "$2" "$build/not-built" 2>/dev/null; then
		report "$1" 0 0 1
		echo "    ok - $1 # SKIP not built: an optional part is left out (see make's 'building without' line)"
	else
		report "$1" 0 1 0
		echo "    not ok - $1: $3"
	fi
}

for src in tests/unit/test_*.c; do
	[ -f "$src" ] || continue
	h=${src##*/}; h=${h%.c}
	name=unit/$h
	selected "$name" || continue
	t=$build/tests/unit/$h
	[ -x "$t" ] || { missing "$name" "$src" "$t was not built (make check builds it)"; continue; }
	log="$logs/${name//\//_}.log"
	CMOCKA_MESSAGE_OUTPUT=TAP timeout 600 "$t" >"$log" 2>&1; rc=$?
	count "$name" "$log" "$rc"
done

for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	h=${src##*/}; h=${h%.c}
	name=fuzz/$h
	selected "$name" || continue
	t=$build/tests/replay/$h
	[ -x "$t" ] || { missing "$name" "$src" "$t (corpus replay) was not built (make check builds it)"; continue; }
	log="$logs/${name//\//_}.log"
	timeout 600 "$t" "tests/fuzz/corpus/$h" >"$log" 2>&1; rc=$?
	count "$name" "$log" "$rc"
done

for t in tests/cli/*.sh; do
	[ -f "$t" ] || continue
	[ "${t##*/}" = lib.sh ] && continue	# the helpers every script sources
	name=cli/${t##*/}
	selected "$name" || continue
	log="$logs/${name//\//_}.log"
	timeout 600 bash "$t" >"$log" 2>&1; rc=$?
	count "$name" "$log" "$rc"
done

for p in "${patterns[@]}"; do
	[ -n "${matched[$p]:-}" ] && continue
	report "pattern '$p'" 0 1 0
	echo "    not ok - no test matches '$p'"
done

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
