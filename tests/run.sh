#!/usr/bin/env bash
# Run every test and print one closing line "N passed, N failed".
#   tests/run.sh BUILD_DIR [PATTERN]
# Unit tests (cmocka, TAP output), end-to-end scripts (tests/cli/*.sh, TAP
# lines "ok - …" / "not ok - …") and fuzz corpus replays are all counted the
# same way.  A script that dies without a "not ok" still counts as a failure.
# Logs of every script are kept in BUILD_DIR/test-logs/.
set -u
build=${1:-build}
pattern=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export PORTSCOPE="$top/$build/portscope"
export PORTSCOPE_TOP="$top"
logs="$top/$build/test-logs"
mkdir -p "$logs"	# each log is rewritten; runs with different patterns can overlap
pass=0 fail=0

count() {	# count NAME LOGFILE EXITCODE
	local name=$1 log=$2 rc=$3 p f
	p=$(grep -cE '^ok ' "$log")
	f=$(grep -cE '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name ran no test" >>"$log"
	fi
	pass=$((pass + p)); fail=$((fail + f))
	printf '%-40s %4d passed, %d failed\n' "$name" "$p" "$f"
	[ "$f" -gt 0 ] && grep -E '^not ok|^#' "$log" | sed 's/^/    /' | head -40
}

for t in "$build"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	name=unit/${t##*/}
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	log="$logs/${name//\//_}.log"
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1; rc=$?
	count "$name" "$log" "$rc"
done

for t in "$build"/tests/replay/fuzz_*; do
	[ -x "$t" ] || continue
	h=${t##*/}
	name=fuzz/$h
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	log="$logs/${name//\//_}.log"
	"$t" "tests/fuzz/corpus/$h" >"$log" 2>&1; rc=$?
	count "$name" "$log" "$rc"
done

for t in tests/cli/*.sh; do
	[ -f "$t" ] || continue
	[ "${t##*/}" = lib.sh ] && continue	# the helpers every script sources
	name=cli/${t##*/}
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	log="$logs/${name//\//_}.log"
	timeout 600 bash "$t" >"$log" 2>&1; rc=$?
	count "$name" "$log" "$rc"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
