# Shared helpers for end-to-end tests; source it first.  Each check prints a
# TAP line ("ok - what" / "not ok - what"); tests/run.sh counts them.
# Everything a test starts is registered with `spawn`/`on_exit` and torn down
# by the EXIT trap, pass or fail.
set -u
: "${PORTSCOPE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/portscope}"
# A test that re-enters itself in new namespaces (`exec unshare … bash "$0"`)
# keeps the directory the first pass made: exec runs no EXIT trap, and the
# second pass's teardown removes it.
if [ -n "${PORTSCOPE_TEST_TMP:-}" ] && [ "${PORTSCOPE_TEST_OWNER:-}" = "$0" ] &&
    [ -d "$PORTSCOPE_TEST_TMP" ] && [ -w "$PORTSCOPE_TEST_TMP" ]; then
	TMP=$PORTSCOPE_TEST_TMP
else
	TMP=$(mktemp -d /tmp/portscope-test.XXXXXX)
fi
export PORTSCOPE_TEST_TMP=$TMP PORTSCOPE_TEST_OWNER=$0
_cleanups=()
_pids=()

on_exit() { _cleanups+=("$*"); }
_teardown() {
	local i
	for ((i = ${#_pids[@]} - 1; i >= 0; i--)); do
		kill "${_pids[i]}" 2>/dev/null
	done
	for ((i = ${#_pids[@]} - 1; i >= 0; i--)); do
		wait "${_pids[i]}" 2>/dev/null
	done
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap _teardown EXIT
trap 'exit 130' INT TERM

# spawn CMD...: run CMD in the background; its pid is in $SPAWNED.
spawn() { "$@" & SPAWNED=$!; _pids+=("$SPAWNED"); }

ok()    { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# check DESC CMD...: ok when CMD succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else
		notok "$1"; echo "#   got:  $(printf %q "$2")"; echo "#   want: $(printf %q "$3")"; fi
}
# check_grep DESC FILE REGEX: FILE has a line matching REGEX (extended).
check_grep() {
	if grep -qE -- "$3" "$2"; then ok "$1"; else
		notok "$1"; echo "#   no line matching /$3/ in:"; sed 's/^/#     /' "$2" | head -20; fi
}
check_nogrep() {
	if ! grep -qE -- "$3" "$2"; then ok "$1"; else
		notok "$1"; echo "#   unexpected line matching /$3/:"; grep -E -- "$3" "$2" | sed 's/^/#     /' | head -5; fi
}
# wait_for TIMEOUT_S CMD...: poll CMD every 20 ms until it succeeds.
wait_for() {
	local t=$1 end; shift
	end=$(( $(date +%s%N) + t * 1000000000 ))
	until "$@" 2>/dev/null; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.02
	done
}
# skip DESC WHY: a check that could not run here, counted as skipped
# (TAP "ok - DESC # SKIP WHY"), never as a pass.
skip() { echo "ok - $1 # SKIP ${2:-}"; }
# need_root WHAT: the rest of the script needs root (netns, nftables); when
# not root, report WHAT as skipped and end the script.
need_root() { [ "$(id -u)" -eq 0 ] || { skip "$*" "needs root"; exit 0; }; }
# have_bpf: true when $PORTSCOPE was built with BPF ("bpf: yes" in --version).
have_bpf() { "$PORTSCOPE" --version 2>/dev/null | grep -qx 'bpf: yes'; }
# need_bpf DESC: true when built with BPF; otherwise report DESC as skipped
# and return 1: `if need_bpf "DESC"; then …; fi` or `need_bpf "DESC" || continue`
# (not `need_bpf … && …` as a script's last line: its status would fail it).
need_bpf() { have_bpf || { skip "$*" "built without BPF"; return 1; }; }
# warnings FILE...: the lines of FILE... (what commands wrote on stderr) that
# are warnings: all of them, but for the notice a build without BPF gives
# that event mode is unavailable (it polls instead, as it says).
warnings() {
	if have_bpf; then cat "$@"; else
		cat "$@" | grep -v '^portscope: event mode unavailable (this portscope was built without BPF support)'
	fi
}
