# portscope local and the command line: bad input gets one clear line and exit 2.
. "$(dirname "$0")/lib.sh"

expect_usage() {	# DESC REGEX ARGS...
	local d=$1 re=$2; shift 2
	"$PORTSCOPE" "$@" >"$TMP/o" 2>"$TMP/e"
	local rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -qE -- "$re" "$TMP/e" &&
	    [ ! -s "$TMP/o" ]; then
		ok "$d"
	else
		notok "$d (exit $rc)"; sed 's/^/#   /' "$TMP/e"
	fi
}
expect_usage "port 0 rejected" "port '0' is too small" local --port 0
expect_usage "port 65536 rejected" "port '65536' is too large" local --port 65536
expect_usage "port junk rejected" "port 'http' is invalid" local --port http
expect_usage "pid junk rejected" "pid '-3' is" local --pid -3
expect_usage "missing pid" "no process with pid 4194303" local --pid 4194303
expect_usage "unknown state" "unknown state 'OPEN'" local --state OPEN
expect_usage "unknown owner source" "unknown owner source 'kernel'" local --owners kernel
expect_usage "unknown option" "unknown option '--bogus'" local --bogus
expect_usage "missing value" "needs a value" local --port
expect_usage "stray argument" "unexpected argument 'extra'" local extra
expect_usage "unknown command" "unknown command 'frobnicate'" frobnicate
expect_usage "unknown top-level option" "unknown option '--frob'" --frob
expect_usage "PortQry -wt without a watch" "-wt needs -wport" -wt 5
expect_usage "PortQry -wt with -local" "-wt cannot be used with -local" -local -wt 5
expect_usage "help for an unknown command" "unknown command 'nope'" help nope

"$PORTSCOPE" --version >"$TMP/o"; check_grep "--version" "$TMP/o" '^portscope [0-9]+\.[0-9]+'
"$PORTSCOPE" --help >"$TMP/o"; check_eq "--help exits 0" "$?" 0
check_grep "--help lists commands" "$TMP/o" '^  local '
"$PORTSCOPE" help local >"$TMP/o"; check_grep "help local" "$TMP/o" '^usage: portscope local'
"$PORTSCOPE" local --help >"$TMP/o"; check_grep "local --help" "$TMP/o" '--port N'
"$PORTSCOPE" >/dev/null 2>&1; check_eq "no command exits 2" "$?" 2
