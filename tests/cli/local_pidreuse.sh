# A recycled pid never lends its details: owners found by the BPF
# iterator are read from /proc by pid afterwards, and the process may have
# exited and its pid been given to another meanwhile.  The race is forced:
# a test hook (PORTSCOPE_TEST_PAUSE) holds portscope between the iteration
# and the reading of details; the test kills the owner and starts an
# impostor with the same pid (ns_last_pid, in a pid namespace of its own),
# holding a socket on the same descriptor number; then lets portscope go.
# The socket must not be credited to the impostor, in local and in watch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/watch_lib.sh"
need_root "local_pidreuse needs its own pid and network namespaces"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net --pid --fork --mount-proc bash "$0" "$@"
fi
ip link set lo up
need_bpf "a recycled pid and the BPF owner backend" || exit 0

# victim: holds UDP 127.0.0.1:PORT on fd 3, as comm "victim"
victim() {
	spawn python3 -c '
import os, socket, sys, time
open("/proc/self/comm", "w").write("victim")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
assert s.fileno() == 3
open(sys.argv[2], "w").write(str(os.getpid()))
time.sleep(120)' "$1" "$2"
	VICTIM=$SPAWNED
}
# impostor PID PORT READY: start a process named "impostor" with pid PID
# (set ns_last_pid, fork at once), holding UDP 127.0.0.1:PORT on fd 3
impostor() {
	python3 - "$@" <<'PY'
import os, socket, sys, time
want, port, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for attempt in range(20):
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(want - 1))
    pid = os.fork()
    if pid == 0:
        if os.getpid() != want:
            os._exit(1)
        open("/proc/self/comm", "w").write("impostor")
        # not the caller's $(...) pipe: it must end when the parent does
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0); os.dup2(null, 1); os.dup2(null, 2)
        os.closerange(3, 1024)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", port))
        assert s.fileno() == 3
        open(ready, "w").write(str(os.getpid()))
        time.sleep(120)
        os._exit(0)
    if pid == want:
        print(pid)
        sys.exit(0)
    os.waitpid(pid, 0)
sys.exit(1)
PY
}

run_race() {	# NAME WHERE PORT CMD...: run CMD (a portscope) through the race at WHERE
	local name=$1 where=$2 port=$3 vpid ipid; shift 3
	mkdir -p "$TMP/$name.pause"
	victim "$port" "$TMP/$name.victim"
	wait_for 10 test -s "$TMP/$name.victim" || { notok "$name: victim started"; return; }
	vpid=$(cat "$TMP/$name.victim")
	PORTSCOPE_TEST_PAUSE="$where:$TMP/$name.pause" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	local ps=$!; _pids+=("$ps")
	check_wait "$name: portscope was held between the iteration and the details" 20 \
		test -e "$TMP/$name.pause/paused"
	kill -9 "$vpid"; wait "$vpid" 2>/dev/null
	ipid=$(impostor "$vpid" $((port + 1)) "$TMP/$name.impostor")
	check_eq "$name: the impostor has the victim's pid" "$ipid" "$vpid"
	wait_for 10 test -s "$TMP/$name.impostor"
	# the race's precondition: the impostor holds the pid when portscope
	# goes on to read the details
	check_eq "$name: the impostor runs, as 'impostor', when portscope goes on" \
	    "$(cat /proc/"$ipid"/comm 2>/dev/null)" impostor
	touch "$TMP/$name.pause/go"
	wait "$ps"
	check_eq "$name: status 0" "$?" 0
	check_nogrep "$name: nothing credited to the impostor" "$TMP/$name.out" "impostor"
	kill "$ipid" 2>/dev/null
}

[ -n "${KEEP:-}" ] && trap 'cp -r $TMP $KEEP; _teardown' EXIT
run_race local bpf 7301 "$PORTSCOPE" local --json --udp --owners bpf
check_grep "local: the victim's socket is listed, its owner gone" "$TMP/local.out" \
	'"local_port":7301,.*"owners":\[\],"owner_missing":"(exited|closed)"'

run_race watch bpf 7311 "$PORTSCOPE" watch --port 7311 --no-cache --owners bpf --count 1 --json
check_grep "watch: the victim's socket is listed, its owner gone" "$TMP/watch.out" \
	'"local_port":7311,.*"owners":\[\],"owner_missing":"(exited|closed)"'
