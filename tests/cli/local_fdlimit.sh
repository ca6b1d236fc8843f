# Out of file descriptors (ulimit -n small), owner lookup reports the
# error; it never says 'not found' or names a process '?' because it could
# not open what it needed.  Both owner sources, local and watch, every
# limit from too few to enough.
. "$(dirname "$0")/lib.sh"
need_root "local_fdlimit runs in its own network namespace"
H=$(dirname "$0")/helpers
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
spawn python3 "$H/population.py" "$TMP/ready"
wait_for 10 test -s "$TMP/ready" || { notok "population started"; exit 1; }
"$PORTSCOPE" local --json >"$TMP/full" 2>&1
owned=$(grep -vc '"owners":\[\]' "$TMP/full")

srcs=procfs
need_bpf "fd exhaustion with --owners bpf" && srcs="procfs bpf"
errors=0 fine=0 bad=0
for n in $(seq 4 40); do
	for src in $srcs; do
		(ulimit -n "$n"; exec "$PORTSCOPE" local --json --owners "$src") >"$TMP/o" 2>"$TMP/e"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			if [ "$rc" -eq 1 ] && grep -q "Too many open files" "$TMP/e"; then
				errors=$((errors + 1))
			else
				bad=$((bad + 1)); echo "# -n $n $src: status $rc: $(head -c 200 "$TMP/e")"
			fi
		elif grep -qE '"owner_missing":"(not found|exited|closed)"|"comm":"\?"' "$TMP/o" ||
		    [ "$(grep -vc '"owners":\[\]' "$TMP/o")" -ne "$owned" ]; then
			bad=$((bad + 1)); echo "# -n $n $src: a silent loss:"; grep -E 'not found|exited|"\?"' "$TMP/o" | head -3 | sed 's/^/#   /'
		else
			fine=$((fine + 1))
		fi
	done
	(ulimit -n "$n"; exec "$PORTSCOPE" watch --pid "$(cut -d' ' -f2 "$TMP/ready")" --count 1 --json) >"$TMP/o" 2>"$TMP/e"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		grep -q "Too many open files" "$TMP/e" && errors=$((errors + 1)) ||
			{ bad=$((bad + 1)); echo "# watch -n $n: status $rc: $(head -c 200 "$TMP/e")"; }
	elif grep -qE '"owner_missing"|"comm":"\?"' "$TMP/o"; then
		bad=$((bad + 1)); echo "# watch -n $n: a silent loss"
	fi
done
check "runs out of descriptors reported the error ($errors)" test "$errors" -gt 0
check "runs with enough descriptors found every owner ($fine)" test "$fine" -gt 0
check_eq "no run lost owners silently or failed another way" "$bad" 0
