# Every error is one safe line: what a message quotes (a file name, a unit,
# a command) is shown with its control bytes as \xNN, so an escape
# sequence cannot repaint the terminal and a newline cannot forge a second
# message; UTF-8 in a name is kept.  err(3)/warn(3) go through
# util/safe_err.c (the binary is linked with --wrap), usage errors through
# util/cli.c.
. "$(dirname "$0")/lib.sh"
E=$'\e[2J\e]0;pwned\a'
# one DESC WANT CMD...: exit status not 0, stderr is exactly the one line WANT
one() {
	local d=$1 want=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	check "$d: fails" test $? -ne 0
	check_eq "$d: one safe line" "$(cat "$TMP/err")" "$want"
}
esc='\x1b[2J\x1b]0;pwned\x07'
one "report --db NAME" "portscope: cannot open '$TMP/x${esc}y': No such file or directory" \
	"$PORTSCOPE" report --db "$TMP/x${E}y"
one "local -l NAME" "portscope: cannot open log file '$TMP/no/$esc': No such file or directory" \
	"$PORTSCOPE" local -l "$TMP/no/$E"
one "a stray argument with a newline" \
	"portscope: unexpected argument 'a\x0aportscope: fake'; see 'portscope help local'" \
	"$PORTSCOPE" local $'a\nportscope: fake'
one "report --db with UTF-8: kept" "portscope: cannot open '$TMP/café': No such file or directory" \
	"$PORTSCOPE" report --db "$TMP/café"
if [ "$(id -u)" = 0 ] && "$PORTSCOPE" --version | grep -qx 'libdw: yes'; then
	one "profile -- NAME" "portscope: cannot run '/nonexistent/$esc': No such file or directory" \
		"$PORTSCOPE" profile -o /dev/null -- "/nonexistent/$E"
else
	skip "profile -- NAME" "profile needs root and libdw"
fi
if "$PORTSCOPE" --version | grep -qx 'bpf: yes' && [ "$(id -u)" = 0 ]; then
	one "events --unit NAME" "portscope: unknown unit 'u$esc'" "$PORTSCOPE" events --unit "u$E"
else
	skip "events --unit NAME" "needs root and BPF"
fi
