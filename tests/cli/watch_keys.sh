# portscope watch on a terminal: q and Esc stop it with status 0, and the
# terminal's settings are given back as they were; Ctrl-C too.
. "$(dirname "$0")/lib.sh"
H=$(dirname "$0")/helpers

for key in q '\x1b' '\x03'; do
	python3 "$H/pty_keys.py" "$key" "sockets? now" \
		"$PORTSCOPE" watch --port 9 --interval 0.2 >"$TMP/out" 2>&1
	check_eq "key $key on a terminal: exit status 0" "$(sed -n 1p "$TMP/out")" "status 0"
	check_eq "key $key: terminal settings restored" "$(sed -n 2p "$TMP/out")" "termios same"
	case $key in
	q) why="q pressed" ;;
	'\x1b') why="Esc pressed" ;;
	*) why="Ctrl-C" ;;
	esac
	check_grep "key $key: says why it stopped" "$TMP/out" "watch stopped \($why\)"
done
# an arrow key (an escape sequence) does not stop it
python3 "$H/pty_keys.py" '\x1b[A' "sockets? now" \
	"$PORTSCOPE" watch --port 9 --interval 0.2 --count 8 >"$TMP/out" 2>&1
check_grep "an arrow key does not stop the watch" "$TMP/out" "watch stopped \(all checks done\)"

# an existing log: the question on the terminal; n keeps it, y replaces it
echo "old log" >"$TMP/log"
python3 "$H/pty_keys.py" 'n\n' "Overwrite\? \(y/n\)" \
	"$PORTSCOPE" watch --port 9 --interval 0.2 -l "$TMP/log" >"$TMP/out" 2>&1
check_eq "log exists, answer n: status 2" "$(sed -n 1p "$TMP/out")" "status 2"
check_grep "log exists, answer n: says so" "$TMP/out" "log file '.*' exists; not overwritten"
check_eq "log exists, answer n: untouched" "$(cat "$TMP/log")" "old log"
python3 "$H/pty_keys.py" 'y\n' "Overwrite\? \(y/n\)" \
	"$PORTSCOPE" watch --port 9 --interval 0.2 --count 2 -l "$TMP/log" >"$TMP/out" 2>&1
check_eq "log exists, answer y: status 0" "$(sed -n 1p "$TMP/out")" "status 0"
check_eq "log exists, answer y: replaced by a complete log" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
