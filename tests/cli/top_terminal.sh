# portscope top gives the terminal back: after q, Ctrl-C, SIGTERM, and on
# Ctrl-Z (then takes it again on fg); the terminal's settings are the same
# as before.  Run in a shell in tmux, as a person would.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { notok "tmux is needed"; exit 0; }
"$PORTSCOPE" --version | grep -qx 'ncurses: yes' ||
	{ skip "the interactive view" "built without ncurses"; exit 0; }
S=pstopt$$
on_exit tmux -L "$S" kill-server
plain() { tmux -L "$S" capture-pane -p -t main; }
type_line() { tmux -L "$S" send-keys -t main "$1" Enter; }
tmux -L "$S" -f /dev/null new-session -d -s main -x 150 -y 30 -c "$TMP" "bash --norc --noprofile"
tmux -L "$S" send-keys -t main "PS1='prompt\$ '" Enter
type_line "stty -g >before"
wait_for 10 test -s "$TMP/before" || { notok "the shell in tmux did not start"; exit 0; }
same_stty() {	# same_stty NAME: the settings now (written to NAME) equal before
	rm -f "$TMP/$1"
	type_line "stty -g >$1"
	wait_for 10 test -s "$TMP/$1" && [ "$(cat "$TMP/$1")" = "$(cat "$TMP/before")" ]
}
view_up() { wait_for 10 eval 'plain | grep -q "^every 0\.5s |"'; }

for how in q C-c SIGTERM; do
	tmux -L "$S" send-keys -t main clear Enter
	type_line "$PORTSCOPE top --interval 0.5; echo \"top-exit=\$?\""
	check "$how: the view is up" view_up
	if [ "$how" = SIGTERM ]; then
		pkill -TERM -f "^$PORTSCOPE top --interval 0.5\$"
	else
		tmux -L "$S" send-keys -t main "$how"
	fi
	check "$how: top exits with status 0" wait_for 10 eval 'plain | grep -q "^top-exit=0"'
	check "$how: the screen is the shell's again" eval '! plain | grep -q "^every 0\.5s |"'
	check "$how: terminal settings as before" same_stty "after-$how"
done

# Ctrl-Z: the shell gets the terminal; fg brings the view back
tmux -L "$S" send-keys -t main clear Enter
type_line "$PORTSCOPE top --interval 0.5; echo \"top-exit=\$?\""
check "Ctrl-Z: the view is up" view_up
tmux -L "$S" send-keys -t main C-z
check "Ctrl-Z: the shell says it stopped" wait_for 10 eval 'plain | grep -q "Stopped"'
check "Ctrl-Z: terminal settings as before" same_stty after-z
type_line fg
check "fg: the view is back" view_up
check "fg: and keeps refreshing" wait_for 10 eval 'plain | grep -q "^Process"'
tmux -L "$S" send-keys -t main '?'
check "fg: keys work again (? shows the help)" wait_for 10 eval 'plain | grep -q "portscope top: keys"'
tmux -L "$S" send-keys -t main x q
# (bash drops the rest of a command list once its job stopped: no echo)
check "fg: q quits" wait_for 10 eval '! pgrep -f "^$PORTSCOPE top --interval 0.5\$" >/dev/null'
check "fg, q: the screen is the shell's again" wait_for 10 eval '! plain | grep -q "^every 0\.5s |"'
check "after Ctrl-Z and fg: terminal settings as before" same_stty after-fg
