# zsh completion, used as a person would: an interactive zsh in tmux with
# contrib/completion/_portscope on its fpath, keys typed, TAB pressed, the
# screen read back.  Commands, options and their descriptions come from
# the binary under test.
. "$(dirname "$0")/lib.sh"
top=${PORTSCOPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v zsh >/dev/null || { notok "zsh is needed (.ci/packages-test)"; exit 0; }
command -v tmux >/dev/null || { notok "tmux is needed (.ci/packages-test)"; exit 0; }

mkdir -p "$TMP/home" "$TMP/bin" "$TMP/files"
ln -s "$PORTSCOPE" "$TMP/bin/portscope"
touch "$TMP/files/records.db" "$TMP/files/other.db"
cat >"$TMP/home/.zshrc" <<EOF
fpath=($top/contrib/completion \$fpath)
path=($TMP/bin \$path)
autoload -U compinit && compinit -u -d $TMP/home/.zcompdump
PS1='%% '
EOF
S=pszsh$$
on_exit tmux -L "$S" kill-server
tmux -L "$S" -f /dev/null new-session -d -s z -x 150 -y 40 -c "$TMP/files" \
    env -i HOME="$TMP/home" ZDOTDIR="$TMP/home" TERM=xterm PATH=/usr/bin:/bin zsh -i
pane() { tmux -L "$S" capture-pane -p -t z | sed '/^$/d'; }
prompt_only() { [ "$(pane)" = "%" ]; }
wait_for 15 prompt_only || { notok "zsh did not start: $(pane)"; exit 0; }

# tab TEXT: a clear screen and line, TEXT typed, TAB; waits until the
# screen shows more than the typed line (at most 10 s) and leaves what it
# shows in $TMP/pane.
tab() {
	tmux -L "$S" send-keys -t z C-u C-l
	wait_for 10 prompt_only
	tmux -L "$S" send-keys -t z -l "$1"
	tmux -L "$S" send-keys -t z Tab
	changed() { [ "$(pane)" != "% $1" ]; }
	wait_for 10 changed "$1"
	sleep 0.3	# a list is drawn after the line
	pane >"$TMP/pane"
}
# tab2 TEXT: the same, then TAB again once the first one completed what
# all matches share (zsh lists them on the second).
tab2() {
	tab "$1"
	tmux -L "$S" send-keys -t z Tab
	listed() { [ "$(pane | wc -l)" -gt 1 ]; }
	wait_for 10 listed
	sleep 0.3
	pane >"$TMP/pane"
}

tab "portscope lo"
check_eq "portscope lo<TAB> completes the command" "$(cat "$TMP/pane")" "% portscope local"

tab "portscope local --li"
check_eq "portscope local --li<TAB> completes the option" "$(cat "$TMP/pane")" "% portscope local --listening"

tab "portscope "
cmds=$("$PORTSCOPE" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print }')
n=$(printf '%s\n' "$cmds" | wc -l)
check_eq "portscope <TAB> lists help and the $n commands of --help, one a line" \
    "$(sed 1d "$TMP/pane" | wc -l)" "$((n + 1))"
while read -r name desc; do
	d=$(printf '%s' "$desc" | sed 's/[][\\.*^$()+?{}|]/\\&/g')
	check_grep "portscope <TAB>: $name with its description from --help" "$TMP/pane" "^$name +-- $d$"
done <<<"$cmds"

tab "portscope -wp"
check_eq "PortQry's -wp<TAB> lists -wpid and -wport with what they do" "$(sed 1d "$TMP/pane")" \
    "-wpid   -- watch a process (PortQry)
-wport  -- watch a port (PortQry)"

tab2 "portscope report --us"
check_eq "report --us<TAB> lists --user and --users-of-interest, described from 'help report'" \
    "$(sed 's/  */ /g' "$TMP/pane")" \
    "% portscope report --user
--user -- only a user (name or uid)
--users-of-interest -- user names or uids"

tab "portscope report --db rec"
check_eq "report --db <TAB> completes a file name (the help says PATH)" "$(cat "$TMP/pane")" \
    "% portscope report --db records.db"

tab "portscope watch --owners "
check_eq "watch --owners <TAB> offers watch's sources" "$(sed 1d "$TMP/pane" | tr -s ' ' | sed 's/ $//')" "bpf procfs"

tab "portscope query --set d"
check_eq "query --set d<TAB> offers the sets" "$(sed 1d "$TMP/pane" | tr -s ' ' | sed 's/ $//')" "dns domain"

tab "portscope help rep"
check_eq "help rep<TAB> completes the command" "$(cat "$TMP/pane")" "% portscope help report"

# An option nothing names: the line stays as typed (the wait runs out).
tab "portscope local --nosuch"
check_eq "an option nothing names is not completed" "$(cat "$TMP/pane")" "% portscope local --nosuch"
