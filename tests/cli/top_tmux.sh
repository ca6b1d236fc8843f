# portscope top driven as a person would: in tmux (send-keys, capture-pane
# -e for colours), in a network namespace made here, with a scripted
# workload (helpers/top_workload.py).  New rows green, a state change
# yellow, a closed connection red; sorting and filtering; c closes a real
# connection (the peer sees a reset); k ends a process after asking; s
# saves a CSV that matches `local --csv`; a resize keeps the layout sane;
# without colours a marker column.
. "$(dirname "$0")/lib.sh"
need_root "network namespaces"
command -v tmux >/dev/null || { notok "tmux is needed"; exit 0; }
"$PORTSCOPE" --version | grep -qx 'ncurses: yes' ||
	{ skip "the interactive view" "built without ncurses"; exit 0; }
NS=pstop$$
ip netns add "$NS" && on_exit ip netns del "$NS" || { notok "cannot create a namespace"; exit 0; }
ip -n "$NS" link set lo up
H=$(dirname "$0")/helpers
WL=$H/top_workload.py
S=pstop$$
on_exit tmux -L "$S" kill-server
ESC=$'\e'

# wl_start NAME: a workload process; commands with `wl NAME CMD`.
declare -A WFD WPID
wl_start() {
	local fd
	mkfifo "$TMP/$1.in"
	exec {fd}<>"$TMP/$1.in"	# read-write: opening does not wait for a reader
	WFD[$1]=$fd
	: >"$TMP/$1.out"
	# (a background job's stdin is /dev/null unless redirected inside it)
	spawn bash -c 'exec "$@" <"$0"' "$TMP/$1.in" ip netns exec "$NS" python3 "$WL" \
		>"$TMP/$1.out"
	WPID[$1]=$SPAWNED
	wl "$1" "name $1" >/dev/null
}
# wl NAME CMD: send CMD, wait for its answer line (printed).
wl() {
	local n f=$TMP/$1.out
	n=$(grep -c '^\(ok\|err\)' "$f")
	echo "$2" >&"${WFD[$1]}"
	wait_for 10 eval '[ "$(grep -c "^\(ok\|err\)" "$f")" -gt "$n" ]' ||
		{ echo "err timeout"; return; }
	grep '^\(ok\|err\)' "$f" | tail -n 1
}
screen() { tmux -L "$S" capture-pane -p -e -t "$1"; }
plain() { tmux -L "$S" capture-pane -p -t "$1"; }
# has WINDOW REGEX: the screen (with colour codes) has a line matching.
has() { screen "$1" | grep -qE -- "$2"; }
# line_of WINDOW REGEX: that line, plain text.
line_of() { plain "$1" | grep -E -- "$2" | head -n 1; }
# colour WINDOW REGEX: the colour (32 green, 33 yellow, 31 red, none) of the
# first line matching REGEX; colours WINDOW REGEX: of every such line.
colours() { screen "$1" | python3 "$H/sgr_lines.py" | grep -E -- "$2" | cut -f1 | tr '\n' ' '; }
colour() { local c; c=$(colours "$1" "$2"); echo "${c%% *}"; }

wl_start tserver
check_eq "workload: listener on 7001" "$(wl tserver 'listen 7001')" "ok"
check_eq "workload: UDP socket on 7003" "$(wl tserver 'udp 7003')" "ok"
check_eq "workload: listener on 7004 that closes at once" "$(wl tserver 'listen 7004 close')" "ok"
wl_start tvictim
check_eq "workload: victim listens on 7002" "$(wl tvictim 'listen 7002')" "ok"
wl_start tclient

# (nsenter, not ip netns exec, which remounts /sys: the event engine needs
# the cgroup v2 mount)
tmux -L "$S" -f /dev/null new-session -d -s main -x 160 -y 40 -c "$TMP" \
	"nsenter --net=/run/netns/$NS $PORTSCOPE top --interval 1 --linger 600 --sort local; sleep 600"
W=main
check "top starts and shows the listener" wait_for 10 has "$W" 'tserver .*127\.0\.0\.1:7001 '
check_grep "status line: counts and interval" <(plain "$W") \
	'^every 1s \| 4 endpoints: 0 established, 4 listening'
check_eq "rows there at the start are not coloured" "$(colour "$W" '127\.0\.0\.1:7001 ')" none

# a new connection: green, both ends
read -r _ _ p1 <<<"$(wl tclient 'connect c1 7001')"
check "status line counts the new rows (for one refresh)" \
	wait_for 10 eval 'plain "$W" | grep -q "2 established, 4 listening.* 2 new"'
check "new connection appears" wait_for 10 has "$W" "tclient .*127\.0\.0\.1:$p1 .*127\.0\.0\.1:7001 "
check_eq "new connection (client end) is green" "$(colour "$W" "127\.0\.0\.1:$p1 +127\.0\.0\.1:7001 ")" 32
check_eq "new connection (server end) is green" "$(colour "$W" "127\.0\.0\.1:7001 +127\.0\.0\.1:$p1 ")" 32

# a state change: the client sends FIN; the server end goes CLOSE_WAIT
wl tclient 'shutdown c1' >/dev/null
check "state change shown" wait_for 10 has "$W" "CLOSE_WAIT +127\.0\.0\.1:7001 +127\.0\.0\.1:$p1 "
check_eq "state change is yellow" "$(colour "$W" "127\.0\.0\.1:7001 +127\.0\.0\.1:$p1 ")" 33

# a closed connection: reset by the client, both ends gone: red
read -r _ _ p2 <<<"$(wl tclient 'connect c2 7001')"
check "second connection appears" wait_for 10 has "$W" "127\.0\.0\.1:$p2 +127\.0\.0\.1:7001 "
wl tclient 'reset c2' >/dev/null
check "status line counts closed rows (for one refresh)" \
	wait_for 10 eval 'plain "$W" | grep -q " 2 closed"'
check "closed connection stays on screen in red" \
	wait_for 10 eval '[ "$(colour "$W" "127\.0\.0\.1:$p2 +127\.0\.0\.1:7001 ")" = 31 ]'
check_eq "closed connection's server end is red too" "$(colour "$W" "127\.0\.0\.1:7001 +127\.0\.0\.1:$p2 ")" 31

# short-lived connections (the event engine): each flashes by in red
if ! have_bpf; then
	skip "short-lived connections" "built without BPF"
elif plain "$W" | grep -q "short-lived not seen"; then
	notok "short-lived connections: event engine unavailable: $(plain "$W" | grep -o 'short-lived not seen.*')"
else
	wl tclient 'burst 3 7004' >/dev/null
	check "status line counts short-lived connections" \
		wait_for 10 eval 'plain "$W" | grep -qE " [1-3] short-lived"'
	# (a refresh may catch one alive: then it shows as new, then closed)
	check "the three server ends are red rows" \
		wait_for 10 eval '[ "$(colours "$W" "127\.0\.0\.1:7004 +127\.0\.0\.1:[0-9]+ ")" = "31 31 31 " ]'
	check "short-lived ones say CLOSE" has "$W" "tserver .* CLOSE +127\.0\.0\.1:7004 +127\.0\.0\.1:[0-9]+ "
fi

# sorting: by local end; I reverses
order() { plain "$W" | grep -oE '127\.0\.0\.1:700[1234] +\*:\*' | cut -d' ' -f1 | tr '\n' ' '; }
check_eq "sorted by local end" "$(order)" "127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 127.0.0.1:7004 "
tmux -L "$S" send-keys -t "$W" I
check "I reverses the order" wait_for 10 eval '[ "$(order)" == "127.0.0.1:7004 127.0.0.1:7003 127.0.0.1:7002 127.0.0.1:7001 " ]'
check_grep "header shows the sort column and direction" <(plain "$W") 'Localv'
tmux -L "$S" send-keys -t "$W" I

# filtering by text
tmux -L "$S" send-keys -t "$W" / t v i c t i m Enter
check "filter 'tvictim' leaves the victim's rows only" \
	wait_for 10 eval '[ "$(plain "$W" | grep -c "127\.0\.0\.1:700[0-9]")" -eq 1 ] && plain "$W" | grep -q "tvictim .*127\.0\.0\.1:7002 "'
check_grep "status line shows the filter" <(plain "$W") "filter 'tvictim' \(1 shown\)"

# k: asks, n keeps the process, y ends it
tmux -L "$S" send-keys -t "$W" Home k
check "k asks before ending the process" wait_for 10 has "$W" "end process ${WPID[tvictim]} \(tvictim\) with SIGTERM\? y/n"
tmux -L "$S" send-keys -t "$W" n
check "n leaves it running" wait_for 10 has "$W" "process ${WPID[tvictim]} left running"
check "the victim still runs" kill -0 "${WPID[tvictim]}"
tmux -L "$S" send-keys -t "$W" k
wait_for 10 has "$W" "with SIGTERM\? y/n"
tmux -L "$S" send-keys -t "$W" y
check "y ends the process" wait_for 10 eval '! kill -0 ${WPID[tvictim]} 2>/dev/null || [ "$(ps -o stat= -p ${WPID[tvictim]})" = Z ]'
check "status line says SIGTERM was sent" wait_for 10 has "$W" "sent SIGTERM to process ${WPID[tvictim]} \(tvictim\)"
tmux -L "$S" send-keys -t "$W" / C-u :7002 Enter	# its owner is gone: find it by port
check "its listener turns red" wait_for 10 eval '[ "$(colour "$W" "127\.0\.0\.1:7002 ")" = 31 ]'

# c: close a live connection; its peer sees a reset
read -r _ _ p3 <<<"$(wl tclient 'connect c3 7001')"
tmux -L "$S" send-keys -t "$W" / C-u "127.0.0.1:$p3" Enter
check "filter on the third connection: its two ends" \
	wait_for 10 eval '[ "$(plain "$W" | grep -c ":$p3 ")" -eq 2 ]'
tmux -L "$S" send-keys -t "$W" Home c	# the first row: the server end (local 7001)
check "c says the connection was closed" wait_for 10 has "$W" "closed TCP 127\.0\.0\.1:7001 -> 127\.0\.0\.1:$p3"
check "the client sees a reset" wait_for 10 grep -q "^event c3 reset" "$TMP/tclient.out"
check "both ends turn red" wait_for 10 eval '[ "$(colours "$W" ":$p3 ")" = "31 31 " ]'

# s: save the view (no filter) as CSV; it matches local --csv
tmux -L "$S" send-keys -t "$W" / C-u Enter
sleep 1
tmux -L "$S" send-keys -t "$W" s
check "s says where it saved" wait_for 10 has "$W" "saved [0-9]+ rows to portscope-top-[0-9-]+\.csv"
csv=$(ls "$TMP"/portscope-top-*.csv 2>/dev/null | head -n 1)
check "the CSV file exists" [ -n "$csv" ]
# proto,pid,state,local,lport,remote,rport of live rows, both sorted
awk -F, 'NR > 1 && $15 != "closed" && $15 != "short-lived" { sub(/v6$/, "", $3); print $3, $2, $4, $5, $6, $7, $8 }' "$csv" |
	sort >"$TMP/top.rows"
ip netns exec "$NS" "$PORTSCOPE" local --csv --tcp --udp |
	awk -F, 'NR > 1 { print $1, $3, $4, $5, $6, $7, $8 }' | sort >"$TMP/local.rows"
check "saved CSV has rows" [ -s "$TMP/top.rows" ]
if diff "$TMP/local.rows" "$TMP/top.rows" >"$TMP/csv.diff"; then ok "saved CSV matches local --csv"
else notok "saved CSV matches local --csv"; sed 's/^/#   /' "$TMP/csv.diff"; fi

# resize: narrower and shorter; the layout still fits
tmux -L "$S" resize-window -t "$W" -x 72 -y 16
check "after a resize to 72x16, the header fits" \
	wait_for 10 eval 'plain "$W" | sed -n 2p | grep -q "^Process"'
check "every line fits in 72 columns" \
	[ "$(plain "$W" | awk '{ sub(/ +$/, ""); if (length($0) > 72) n++ } END { print n + 0 }')" -eq 0 ]
check "rows still show process, pid and local end" \
	eval 'plain "$W" | grep -qE "tserver +[0-9]+ .*127\.0\.0\.1:7001"'
check_eq "screen has 16 lines" "$(plain "$W" | wc -l)" 16
tmux -L "$S" resize-window -t "$W" -x 160 -y 40
check "back to 160 columns: the Unit column is there again" \
	wait_for 10 eval 'plain "$W" | sed -n 2p | grep -q "Unit"'

# q quits and gives the terminal back
tmux -L "$S" send-keys -t "$W" q
check "q quits" wait_for 10 eval '! pgrep -f "^$PORTSCOPE top --interval 1 --linger 600 --sort local" >/dev/null'

# no colours (NO_COLOR): a marker column says the same
tmux -L "$S" new-window -d -n mono -c "$TMP" \
	"NO_COLOR=1 nsenter --net=/run/netns/$NS $PORTSCOPE top --interval 0.3 --linger 600 --sort local; sleep 600"
check "NO_COLOR: top starts" wait_for 10 has mono 'tserver .*127\.0\.0\.1:7001 '
read -r _ _ p4 <<<"$(wl tclient 'connect c4 7001')"
check "NO_COLOR: a new row has the + marker" wait_for 10 eval 'plain mono | grep -qE "^\+ tclient .*127\.0\.0\.1:$p4 "'
wl tclient 'reset c4' >/dev/null
check "NO_COLOR: a closed row has the - marker" wait_for 10 eval 'plain mono | grep -qE "^- tclient .*127\.0\.0\.1:$p4 "'
check_eq "NO_COLOR: no colour codes on rows" "$(colour mono "127\.0\.0\.1:$p4 ")" none
tmux -L "$S" send-keys -t mono q

wl tclient exit >/dev/null
wl tserver exit >/dev/null
