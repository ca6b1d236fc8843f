# Processes that exit during the scan never crash portscope local (with
# either owner source, bpf and procfs, in turn) and never lend their
# sockets, or their names, to another process; sockets left by them say
# why.  The exit-mid-scan path ("exited") is made certain for each owner
# source: a test hook (PORTSCOPE_TEST_PAUSE) holds the scan after it saw a
# process's descriptors, the test kills that process, and its socket must
# say "exited"; so the check that every missing owner has a reason cannot
# pass by never meeting one.  (A recycled pid is tested with a forced race
# in local_pidreuse.sh: natural churn here did not hit that window even
# without the start-time check.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/watch_lib.sh"
need_root "local_churn runs in its own network and pid namespaces"
H=$(dirname "$0")/helpers
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net --pid --fork --mount-proc bash "$0" "$@"
fi
ip link set lo up
srcs="procfs"
need_bpf "the churn with --owners bpf (procfs only)" && srcs="procfs bpf"

# verdict MAPFILE RUNS...: "bad owned missing exited wrongname" over the runs
verdict() {
	python3 - "$@" <<'PY'
import json, sys, collections
holders = collections.defaultdict(set)
for line in open(sys.argv[1]):
    port, pid = map(int, line.split())
    holders[port].add(pid)
bad = owned = missing = exited = wrong = 0
reasons = collections.Counter()
for path in sys.argv[2:]:
    for line in open(path):
        o = json.loads(line)
        if o["local_port"] not in holders:
            continue
        if o["owners"]:
            owned += 1
            for w in o["owners"]:
                if w["pid"] not in holders[o["local_port"]]:
                    bad += 1
                    print("# port %d reported for pid %d, held by %s" % (o["local_port"], w["pid"], holders[o["local_port"]]))
                # "python3": the child itself, seen before it renamed itself
                if w["comm"] not in ("u%d" % o["local_port"], "python3"):
                    wrong += 1
                    if wrong <= 5:
                        print("# port %d: owner pid %d named %r" % (o["local_port"], w["pid"], w["comm"]))
        else:
            missing += 1
            reasons[o.get("owner_missing")] += 1
print("# reasons for missing owners:", dict(reasons))
print(bad, owned, missing, reasons["exited"], wrong, reasons[None])
PY
}

# 1. a process exits mid-scan, for certain: its socket says so
n=0
for src in $srcs; do
	n=$((n + 1)) port=$((7400 + n))
	spawn python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write("up")
time.sleep(60)' $port "$TMP/up.$src"
	victim=$SPAWNED
	wait_for 10 test -s "$TMP/up.$src"
	mkdir "$TMP/pause.$src"
	PORTSCOPE_TEST_PAUSE="$src:$TMP/pause.$src" "$PORTSCOPE" local --json --port $port \
		--owners $src >"$TMP/x.$src" 2>"$TMP/x.$src.err" &
	ps=$!; _pids+=("$ps")
	check_wait "$src: the scan was held after it saw the owner" 20 test -s "$TMP/pause.$src/paused"
	[ "$src" = procfs ] && check_eq "$src: ... the owner's descriptors" \
		"$(cat "$TMP/pause.$src/paused")" "$victim"
	kill -9 "$victim"; wait "$victim" 2>/dev/null
	touch "$TMP/pause.$src/go"
	wait "$ps"
	check_eq "$src: status 0" "$?" 0
	check_grep "$src: the socket of a process that exited mid-scan says 'exited'" "$TMP/x.$src" \
		"\"local_port\":$port,.*\"owners\":\[\],\"owner_missing\":\"exited\""
done

# 2. churn: nothing crashes, every missing owner has a reason
: >"$TMP/map"
spawn python3 "$H/churn.py" "$TMP/map" 30 --fast
churn=$SPAWNED
runs=0 crashes=0
declare -A files=()
while kill -0 "$churn" 2>/dev/null && [ $runs -lt 60 ]; do
	src=procfs; [ $((runs % 2)) -eq 1 ] && [ "$srcs" != procfs ] && src=bpf
	"$PORTSCOPE" local --json --udp --owners $src >"$TMP/o.$runs" 2>"$TMP/e.$runs"
	rc=$?
	[ $rc -eq 0 ] || { crashes=$((crashes + 1)); echo "# run $runs exit $rc: $(head -c 300 "$TMP/e.$runs")"; }
	files[$src]="${files[$src]:-} $TMP/o.$runs"
	runs=$((runs + 1))
done
kill "$churn" 2>/dev/null; wait "$churn" 2>/dev/null
check "the scan ran at least 20 times during the churn ($runs)" test "$runs" -ge 20
check_eq "no run failed" "$crashes" 0
for src in $srcs; do
	# shellcheck disable=SC2086
	read -r bad owned missing exited wrong none < <(verdict "$TMP/map" ${files[$src]} | tee "$TMP/v.$src" | tail -n 1)
	grep '^#' "$TMP/v.$src"
	check_eq "$src: no socket attributed to a process that did not hold it" "$bad" 0
	check_eq "$src: no owner named after another process" "$wrong" 0
	check "$src: churned sockets were seen with their owners ($owned)" test "$owned" -gt 0
	check "$src: churned sockets were seen without ($missing)" test "$missing" -gt 0
	check_eq "$src: a missing owner always has a reason" "$none" 0
done
