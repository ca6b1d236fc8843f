#!/usr/bin/env bash
# -wport / -wpid in PortQry's form, on a terminal (a pty), in a network
# namespace of its own: at the first check and at each change a dated
# separator and the whole current table; Esc ends with PortQry's line
# "escape key pressed: stopped watching port N" and the log's end line.
# The log is compared line by line with PortQry's layout, values
# abstracted (doc/portqry-compat.md §3).
. "$(dirname "$0")/lib.sh"
need_root "network namespaces"
NS=psw$$
ip netns add "$NS" || { notok "cannot create namespace $NS"; exit 0; }
on_exit ip netns del "$NS"
ip -n "$NS" link set lo up
H=$(dirname "$0")/helpers
V=$("$PORTSCOPE" --version | sed -n 's/^portscope //p')

# a process that listens on 5400 after 1.5 s, then waits
cat >"$TMP/late.py" <<'PY'
import socket, sys, time
time.sleep(float(sys.argv[1]))
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[2])))
s.listen()
time.sleep(30)
PY
abstract() {	# dates, the program path, the host, the pid, the log path
	sed -E "s/^(System Date: ).*/\\1DATE/; s/^=============== .* ===============$/=============== DATE ===============/;
	    s/^ \\S*portscope / PROG /; s/^ $(hostname)$/ HOST/; s|$TMP/|TMP/|g;
	    s/^$1 +/PID     /; s/process $1\$/process PID/" "$2"
}

spawn ip netns exec "$NS" python3 "$TMP/late.py" 1.5 5400
late=$SPAWNED
ip netns exec "$NS" python3 "$H/pty_keys.py" '\x1b' 'TCP 5400 .*LISTENING' \
	"$PORTSCOPE" -wport 5400 -wt 1 -l "$TMP/log" -y >"$TMP/out" 2>&1
check_eq "-wport, Esc on a terminal: exit status 0" "$(sed -n 1p "$TMP/out")" "status 0"
check_eq "-wport, Esc: terminal settings restored" "$(sed -n 2p "$TMP/out")" "termios same"
check_eq "-wport: the log, PortQry's layout line by line" "$(abstract "$late" "$TMP/log")" \
"portscope Version $V Log File

System Date: DATE

Command run:
 PROG -wport 5400 -wt 1 -l TMP/log -y

Local computer name:

 HOST

Watching port: 5400

Checking for changes every 1 seconds

=============== DATE ===============

PID     Port       Local IP                State          Remote IP:Port

=============== DATE ===============

PID     Port       Local IP                State          Remote IP:Port
PID     TCP 5400   127.0.0.1               LISTENING      0.0.0.0:0

escape key pressed: stopped watching port 5400
========= end of log file ========="
check_grep "-wport: the terminal shows the same table" "$TMP/out" "^$late +TCP 5400 +127\\.0\\.0\\.1 +LISTENING +0\\.0\\.0\\.0:0"
check_grep "-wport: the terminal shows the Esc line" "$TMP/out" "^escape key pressed: stopped watching port 5400"

# -wpid -v: the process's table, its details and loaded modules at each
# change; SIGTERM ends with the stop line and the end line
spawn ip netns exec "$NS" python3 "$TMP/late.py" 1.2 5401
late2=$SPAWNED
wait_for 5 test -d "/proc/$late2" || notok "the process did not start"
spawn ip netns exec "$NS" "$PORTSCOPE" -wpid "$late2" -wt 1 -v -l "$TMP/log2" -y </dev/null >"$TMP/out2" 2>&1
w=$SPAWNED
wait_for 10 grep -q "^$late2 \+TCP 5401 .*LISTENING" "$TMP/log2"
check_grep "-wpid: a table after the change" "$TMP/log2" "^$late2 +TCP 5401 .*LISTENING"
kill -TERM "$w"; wait "$w"; rc=$?
check_eq "-wpid, SIGTERM: exit status 0" "$rc" 0
check_eq "-wpid: two tables (the first check, the change)" "$(grep -c '^=============== .* ===============$' "$TMP/log2")" 2
check_grep "-wpid -v: the process's details" "$TMP/log2" "^Process ID: $late2 \\(python3\\)$"
check_grep "-wpid -v: its loaded modules" "$TMP/log2" '^/.*libc\.so[.0-9]* \(0x[0-9a-f]+\)$'
check_eq "-wpid: the stop line and the end line last" "$(tail -n 2 "$TMP/log2" | sed "s/$late2/PID/")" \
"stopped watching process PID (SIGTERM)
========= end of log file ========="
