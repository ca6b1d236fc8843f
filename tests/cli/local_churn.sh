# Processes that exit during the scan never crash portscope local (with
# either owner source, bpf and procfs, in turn) and never
# lend their sockets to another process; sockets left by them say why.
. "$(dirname "$0")/lib.sh"
need_root "local_churn runs in its own network namespace"
H=$(dirname "$0")/helpers
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
: >"$TMP/map"
spawn python3 "$H/churn.py" "$TMP/map" 4
churn=$SPAWNED
runs=0 crashes=0 bad=0 owned=0
bpf=bpf; need_bpf "the churn with --owners bpf (procfs only)" || bpf=procfs
while kill -0 "$churn" 2>/dev/null && [ $runs -lt 40 ]; do
	src=$bpf; [ $((runs % 2)) -eq 1 ] && src=procfs
	"$PORTSCOPE" local --json --udp --owners $src >"$TMP/o.$runs" 2>"$TMP/e.$runs"
	rc=$?
	[ $rc -eq 0 ] || { crashes=$((crashes + 1)); echo "# run $runs exit $rc: $(head -c 300 "$TMP/e.$runs")"; }
	runs=$((runs + 1))
done
wait "$churn"
check "the scan ran at least 3 times during the churn ($runs)" test "$runs" -ge 3
check_eq "no run failed" "$crashes" 0
# Every owner reported for a churned port must be a process that held that port.
python3 - "$TMP/map" "$TMP" "$runs" >"$TMP/verdict" <<'PY'
import json, sys, collections
holders = collections.defaultdict(set)
for line in open(sys.argv[1]):
    port, pid = map(int, line.split())
    holders[port].add(pid)
bad = owned = missing = 0
reasons = collections.Counter()
for i in range(int(sys.argv[3])):
    for line in open("%s/o.%d" % (sys.argv[2], i)):
        o = json.loads(line)
        if o["local_port"] not in holders:
            continue
        if o["owners"]:
            owned += 1
            for w in o["owners"]:
                if w["pid"] not in holders[o["local_port"]]:
                    bad += 1
                    print("# port %d reported for pid %d, held by %s" % (o["local_port"], w["pid"], holders[o["local_port"]]))
        else:
            missing += 1
            reasons[o.get("owner_missing")] += 1
print("bad", bad, "owned", owned, "missing", missing)
print("# reasons for missing owners:", dict(reasons))
PY
cat "$TMP/verdict" | grep '^#'
read -r _ bad _ owned _ missing <"$TMP/verdict"
check_eq "no socket attributed to a process that did not hold it" "$bad" 0
check "churned sockets were seen with their owners ($owned)" test "$owned" -gt 0
check_nogrep "a missing owner always has a reason" "$TMP/verdict" "None"
