# portscope events --unit NAME shows the processes of that unit's cgroup
# and no others.  A unit is its cgroup; here the test makes one without
# systemd: a cgroup v2 child portscope-test-$$.scope, with a listener
# started in it and a client moved into it; a second client outside it
# makes the same connections and must not show.
. "$(dirname "$0")/lib.sh"
need_root "events_unit runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/ev_lib.sh"
ev_guard

cg=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
unit=portscope-test-$$.scope
if [ -z "$cg" ] || ! mkdir "$cg/$unit" 2>/dev/null; then
	skip "events --unit" "cannot make a cgroup under '${cg:-no cgroup2 mount}'"
	exit 0
fi
on_exit "rmdir '$cg/$unit'"

N=20
work srv serve 7100
spid=$(val srv pid)
# A listener started inside the unit: its 'existing' line says events runs.
mkfifo "$TMP/hold.in"
exec {hfd}<>"$TMP/hold.in"
spawn bash -c 'echo $$ >"$1/cgroup.procs" && exec python3 "$2" hold 7101 <&"$3" >"$4"' _ \
	"$cg/$unit" "$H/ev_work.py" "$hfd" "$TMP/hold.out"
wait_for 10 grep -q '^ready' "$TMP/hold.out" || echo "# hold: not ready"
hpid=$(val hold pid)
work in conns $N 7100 0
ipid=$(val in pid)
echo "$ipid" >"$cg/$unit/cgroup.procs"
work out conns $N 7100 0
opid=$(val out pid)
check_eq "precondition: the listener and the client 'in' are in $unit, 'out' is not" \
	"$(grep -c "^0::/$unit\$" /proc/"$hpid"/cgroup /proc/"$ipid"/cgroup | cut -d: -f2 | paste -sd,),$(grep -c "^0::/$unit\$" /proc/"$opid"/cgroup)" "1,1,0"

ev_start "$TMP/ev" '"event":"existing".*"local_port":7101' --unit "$unit"
godone in
godone out
want_in="o['event'] == 'close' and o['pid'] == $ipid and o['remote_port'] == 7100"
wait_for 30 count_at_least $N "$TMP/ev" "$want_in"
sleep 1		# anything of 'out' would have come by now
ev_stop

check_eq "precondition: 'out' made $N connections" \
	"$(val out ports | tr , '\n' | grep -c .)" $N
check_grep "the listener in the unit is shown as 'existing', with its pid" "$TMP/ev" \
	"\"event\":\"existing\".*\"local_port\":7101,.*\"pid\":$hpid,"
check_eq "every connection of 'in' is a 'connect' with its pid" \
	"$(jcount "$TMP/ev" "o['event'] == 'connect' and o['pid'] == $ipid and o['remote_port'] == 7100 and 'error' not in o")" $N
check_eq "... and a 'close'" "$(jcount "$TMP/ev" "$want_in")" $N
check_eq "nothing of 'out' (pid $opid), of the server or the listener outside" \
	"$(jcount "$TMP/ev" "o['event'] != 'lost' and o.get('pid') not in ($ipid, $hpid)")" 0
check_eq "no events lost" "$(jcount "$TMP/ev" "o['event'] == 'lost'")" 0
check_eq "nothing on stderr" "$(cat "$TMP/ev.err")" ""
