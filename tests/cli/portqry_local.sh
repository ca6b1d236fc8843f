#!/usr/bin/env bash
# portscope -local in PortQry 2.0's layout, line by line except for values
# (the pid, the module paths and addresses): one python3 process holding
# two TCP listeners and two UDP sockets in a network namespace of its own,
# so that -local there lists exactly them.  Expected transcript:
# tests/cli/expected/portqry_local.txt (doc/portqry-compat.md §2).
. "$(dirname "$0")/lib.sh"
need_root "network namespaces"
NS=psl$$
ip netns add "$NS" || { notok "cannot create namespace $NS"; exit 0; }
on_exit ip netns del "$NS"
ip -n "$NS" link set lo up
inns() { ip netns exec "$NS" "$@"; }
EXPECTED=$(dirname "$0")/expected/portqry_local.txt
spawn ip netns exec "$NS" python3 "$(dirname "$0")/query_servers.py" 127.0.0.1 \
	tcp:5301 udp:5300 tcp:5302 udp:5302 >"$TMP/ports"
srv=$SPAWNED
wait_for 5 test -s "$TMP/ports" || { notok "test server did not start"; exit 0; }

# abstract the values: the pid, and the module lines collapsed into one
abstract() {
	sed -E "s/^Process ID: $srv /Process ID: PID /; s/^$srv +/PID     /" "$1" |
	    sed -E 's|^/[^ ]+ \(0x[0-9a-f]+\)$|MODULE (0xBASE)|' | uniq
}

inns "$PORTSCOPE" -local >"$TMP/o" 2>"$TMP/e"
check_eq "-local: exit status 0" "$?" 0
check_eq "-local: nothing on stderr" "$(cat "$TMP/e")" ""
check_eq "-local: PortQry's layout, line by line" "$(abstract "$TMP/o")" "$(cat "$EXPECTED")"
check_grep "-local: the program is a loaded module" "$TMP/o" '^/.*python3[.0-9]* \(0x[0-9a-f]+\)$'
check_grep "-local: libc is a loaded module" "$TMP/o" '^/.*libc\.so[.0-9]* \(0x[0-9a-f]+\)$'
check_nogrep "-local: files only read are not modules (locale, caches)" "$TMP/o" \
	'^/.*(locale|\.cache|gconv-modules\.cache)[^ ]* \(0x'
check "-local: each module once" test "$(grep -c ' (0x' "$TMP/o")" -eq "$(grep ' (0x' "$TMP/o" | sort -u | wc -l)"

# -v adds the process's details before its table
inns "$PORTSCOPE" -local -v >"$TMP/v"
check_grep "-local -v: the executable" "$TMP/v" '^Executable: +/.*python3'
check_grep "-local -v: the command line" "$TMP/v" '^Command line: .*query_servers\.py 127\.0\.0\.1 tcp:5301'

# -l: the log holds PortQry's header, the same report, and the end line
inns "$PORTSCOPE" -local -l "$TMP/log" >"$TMP/o2" </dev/null
check_eq "-local -l: line 1" "$(sed -n 1p "$TMP/log")" "portscope Version $("$PORTSCOPE" --version | sed -n 's/^portscope //p') Log File"
check_eq "-local -l: header lines" \
	"$(sed -n '1,10p' "$TMP/log" | sed -E '1d; s/^(System Date: ).*/\1DATE/; s/^ \S*portscope /PROG /')" \
	"
System Date: DATE

Command run:
PROG -local -l $TMP/log

Local computer name:

 $(hostname)"
check_eq "-local -l: the report in the log is stdout's" \
	"$(sed -n '/^TCP\/UDP Port Usage$/,$p' "$TMP/log" | sed '$d')" "$(cat "$TMP/o2")"
check_eq "-local -l: the end line last" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
