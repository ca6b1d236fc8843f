# portscope top's other keys, in tmux, in a network namespace made here:
# ? help, Enter details (process and modules), r host names, + and -
# interval, toggles (u t 4 6 l e), space pause, < > sort, and the mouse
# (a click on a header sorts, a click on a row selects it).
. "$(dirname "$0")/lib.sh"
need_root "network namespaces"
command -v tmux >/dev/null || { notok "tmux is needed"; exit 0; }
"$PORTSCOPE" --version | grep -qx 'ncurses: yes' ||
	{ skip "the interactive view" "built without ncurses"; exit 0; }
NS=pstopk$$
ip netns add "$NS" && on_exit ip netns del "$NS" || { notok "cannot create a namespace"; exit 0; }
ip -n "$NS" link set lo up
S=pstopk$$
on_exit tmux -L "$S" kill-server
spawn nsenter --net=/run/netns/"$NS" python3 -c '
import ctypes, socket, sys, time
ctypes.CDLL(None).prctl(15, b"tkeys", 0, 0, 0)
l4 = socket.socket(); l4.bind(("127.0.0.1", 7201)); l4.listen()
l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 7202)); l6.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 7203))
c = socket.create_connection(("127.0.0.1", 7201)); a, _ = l4.accept()
open(sys.argv[1], "w").write("up")
time.sleep(600)' "$TMP/up"
wait_for 10 test -s "$TMP/up" || { notok "workload did not start"; exit 0; }
wpid=$SPAWNED
plain() { tmux -L "$S" capture-pane -p -t main; }
keys() { tmux -L "$S" send-keys -t main "$@"; }
shows() { local re=$1; wait_for 10 eval 'plain | grep -qE -- "$re"'; }
hides() { local re=$1; wait_for 10 eval '! plain | grep -qE -- "$re"'; }
rows() { plain | grep -cE "127\.0\.0\.1:72|\[::1\]:72"; }

tmux -L "$S" -f /dev/null new-session -d -s main -x 160 -y 30 -c "$TMP" \
	"nsenter --net=/run/netns/$NS $PORTSCOPE top --interval 0.5 --sort local; sleep 600"
check "top shows the workload" shows "tkeys .*127\.0\.0\.1:7201 "
check_eq "five endpoints" "$(rows)" 5

keys '?'
check "? shows the keys" shows "^portscope top: keys"
keys x
check "any key closes the help" shows "^Process"

# toggles
keys u
check "u hides UDP" hides "7203"
check "u says so" shows "UDP hidden"
keys u
check "u again shows UDP" shows "UDP +UNCONN +127\.0\.0\.1:7203"
keys 6
check "6 hides IPv6" hides "\[::1\]:7202"
keys 6 4
check "4 hides IPv4, 6 brought IPv6 back" eval 'hides "127\.0\.0\.1:7201" && shows "\[::1\]:7202"'
keys 4 l
check "l hides listening and unconnected UDP" eval 'shows "ESTABLISHED" && hides "LISTEN|UNCONN"'
keys l e
check "e hides established" eval 'shows "LISTEN" && hides "ESTABLISHED"'
keys e t
check "t hides TCP" wait_for 10 eval '[ "$(rows)" -eq 1 ] && plain | grep -q UNCONN'
keys t
if wait_for 10 eval '[ "$(rows)" -eq 5 ]'; then ok "all five back"
else notok "all five back"; plain | sed 's/^/#   /'; fi

# sort keys: > moves to the next column (Local -> Remote)
keys '>'
check "> sorts by the next column" shows "sorted by Remote"
check "the header marks it" shows "Remote\^"
keys '<'
check "< goes back" shows "sorted by Local"

# interval
keys +
check "+ lengthens the interval" shows "^every 1s \|"
keys - -
check "- shortens it" shows "^every 0\.25s \|"
keys +

# pause: a new connection does not show until resumed
keys ' '
check "space pauses" shows "PAUSED"
nsenter --net=/run/netns/"$NS" python3 -c '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", 7201))
open(sys.argv[1], "w").write(str(c.getsockname()[1]))
time.sleep(600)' "$TMP/port" &
cpid=$!
on_exit kill $cpid
wait_for 10 test -s "$TMP/port"
sleep 1.5	# three intervals
check_eq "paused: the new connection is not shown" "$(plain | grep -c ":$(cat "$TMP/port") ")" 0
keys ' '
check "space resumes: it shows" shows ":$(cat "$TMP/port") "

# names: 127.0.0.1 and ::1 become localhost (from /etc/hosts), in the background
keys r
check "r: names shown" shows "localhost:7201 "
check "r: status says names" shows "\| names"
keys r
check "r again: numbers" shows "127\.0\.0\.1:7201 "

# Enter: details of the selected row's process, with its modules
keys Home Enter
check "Enter: details" shows "^Details"
check "details: the row's cells" shows "^  Process +tkeys"
check "details: process id and name" shows "^Process ID: $wpid \(tkeys\)"
check "details: executable" shows "^  Executable: +/.*python3"
check "details: command line" shows "^  Command line: +[^ ]*python3 -c"
check "details: modules" shows "^  Module Information:"
keys Escape
check "Esc closes the details" shows "^Process\^? +PID "

# the mouse (X10 reports, as the terminal sends them): a click on the PID
# header sorts by PID; a click on the third row selects it
click() {	# click X Y (0-based): press and release, in one write
	local xy
	xy=$(printf '%b%b' "\\x$(printf %x $((33 + $1)))" "\\x$(printf %x $((33 + $2)))")
	keys -l "$(printf '\033[M %s\033[M#%s' "$xy" "$xy")"
}
pidx=$(plain | sed -n 2p | grep -bo 'PID' | head -n 1 | cut -d: -f1)
click "$((pidx + 1))" 1
check "a click on the PID header sorts by it" shows "sorted by PID"
click 5 4
check "a click on a row selects it (Enter shows its details)" eval 'keys Enter; shows "^Details"'
keys Escape q

# not root: every endpoint, owners said to be not permitted, and why
chmod 755 "$TMP"
tmux -L "$S" new-window -d -n nobody -c "$TMP" \
	"nsenter --net=/run/netns/$NS setpriv --reuid=65534 --regid=65534 --clear-groups $PORTSCOPE top --interval 0.5 --sort local; sleep 600"
tmux -L "$S" resize-window -t nobody -x 220 -y 30
nplain() { tmux -L "$S" capture-pane -p -t nobody; }
check "not root: the rows are there" \
	wait_for 10 eval 'nplain | grep -qE "^\(not permitted\) +- +TCP +LISTEN +127\.0\.0\.1:7201 "'
check "not root: the status line says why owners are missing" \
	eval 'nplain | grep -qE "not root: owners .not permitted. \([0-9]+ processes unreadable\)"'
check "not root: and that short-lived connections are not seen" \
	eval 'nplain | grep -q "short-lived not seen: "'
tmux -L "$S" send-keys -t nobody q
