# portscope watch -l FILE: a PortQry-style log (header, a dated section per
# change, an end line written and flushed on SIGINT and SIGTERM), the -y
# overwrite rule, and -v's modules the first time a process is seen.
. "$(dirname "$0")/lib.sh"
need_root "watch_log runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/watch_lib.sh"
P=4445
actor_start a
act a pid; apid=$ACT

# long form, -v, JSON on stdout, text log; stopped by SIGINT
spawn "$PORTSCOPE" watch --port $P --interval 0.2 -v --json -l "$TMP/log" </dev/null >"$TMP/j" 2>"$TMP/err"
w=$SPAWNED
check_wait "log: the first check is written at once" 10 has "$TMP/log" "^======== .*: 0 sockets now ========$"
act a tcp_listen L 127.0.0.1 $P 5
check_wait "log: a change is written while the watch runs" 10 has "$TMP/log" "  NEW +TCP +127\.0\.0\.1:$P "
act a udp_bind U 127.0.0.1 $P
check_wait "json: second change" 10 jhas "$TMP/j" "o['event'] == 'new' and o['proto'] == 'udp'"
kill -INT $w; wait $w; rc=$?
check_eq "SIGINT: exit status 0" "$rc" 0
host=$(hostname)
python3 - "$TMP/log" "$P" "$host" >"$TMP/hdr" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
port, host = sys.argv[2], sys.argv[3]
want = [
    r"portscope Version \S+ Log File", "",
    r"System Date: \w{3} \w{3} [ 0-9]\d \d\d:\d\d:\d\d \d{4}", "",
    "Command run:", r" \S*portscope watch --port %s --interval 0\.2 -v --json -l \S+/log" % port, "",
    "Local computer name:", "", " " + re.escape(host), "",
    "Watching port: %s" % port, "",
    r"Checking for changes every 0\.2 seconds", "",
    "verbose output requested", "",
]
for i, w in enumerate(want):
    if i >= len(lines) or not re.fullmatch(w, lines[i]):
        print("line %d: %r does not match %r" % (i + 1, lines[i] if i < len(lines) else None, w))
        sys.exit(0)
print("ok")
PY
check_eq "log: PortQry-style header, line by line" "$(cat "$TMP/hdr")" ok
check_grep "log: dated section per change" "$TMP/log" \
	"^======== [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}: 1 change ========$"
check_eq "log: one section per check with changes" "$(grep -c ': 1 change ========$' "$TMP/log")" 2
check_grep "log -v: the process's details the first time" "$TMP/log" "^    Process ID: $apid \(python3\)$"
check_grep "log -v: its modules" "$TMP/log" "^        0x[0-9a-f]{16}  /.*libc\.so"
check_eq "log -v: modules only the first time" "$(grep -c "Process ID: $apid " "$TMP/log")" 1
check "json -v: modules in the first event naming the process" jhas "$TMP/j" \
	"o.get('processes') and o['processes'][0]['pid'] == $apid and any('libc' in m['path'] for m in o['processes'][0]['modules'])"
check_grep "log: ends with the stop line after SIGINT" <(tail -n 2 "$TMP/log" | head -n 1) \
	"^======== [0-9-]+ [0-9:]+: watch stopped \(Ctrl-C\) ========$"
check_eq "log: last line" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
check_nogrep "json stdout holds no log text" "$TMP/j" "^[^{]"

# an existing log is not overwritten without -y when stdin is not a terminal
cp "$TMP/log" "$TMP/log.before"
"$PORTSCOPE" watch --port $P --interval 0.2 -l "$TMP/log" </dev/null >"$TMP/o" 2>"$TMP/e"
check_eq "existing log without -y: status 2" "$?" 2
check_eq "existing log without -y: one line" "$(cat "$TMP/e")" \
	"portscope: log file '$TMP/log' exists; use -y to overwrite it"
check "existing log without -y: untouched" cmp -s "$TMP/log" "$TMP/log.before"

# PortQry's form with -y overwrites; SIGTERM also ends the log properly
spawn "$PORTSCOPE" -wport $P -wt 1 -l "$TMP/log" -y </dev/null >"$TMP/o" 2>"$TMP/e"
w=$SPAWNED
check_wait "-wport -wt 1 -l -y: first check, PortQry's table" 10 has "$TMP/log" "^PID +Port +Local IP +State +Remote IP:Port$"
kill -TERM $w; wait $w; rc=$?
check_eq "SIGTERM: exit status 0" "$rc" 0
check_grep "-wport: the command run is in the header" "$TMP/log" "^ \S*portscope -wport $P -wt 1 -l \S+/log -y$"
check_grep "-wt 1: whole seconds" "$TMP/log" "^Checking for changes every 1 seconds$"
check_nogrep "no -v: no verbose line" "$TMP/log" "verbose output requested"
check_grep "log: stop line after SIGTERM" "$TMP/log" "^stopped watching port $P \(SIGTERM\)$"
check_eq "log: last line after SIGTERM" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
check_eq "stdout has the same text as the log (after the title)" \
	"$(tail -n +2 "$TMP/o")" "$(tail -n +2 "$TMP/log")"
act a exit
