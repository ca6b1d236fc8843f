# Shared by the benchmarks: locate things, build sockpop, time commands.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared=${PORTSCOPE_SHARED:-$top/../shared}
PORTSCOPE=${PORTSCOPE:-$top/build/portscope}
SOCKPOP=$top/build/bench/sockpop
ISOLATE=$shared/bench/isolate

build_sockpop() {
	mkdir -p "$top/build/bench"
	if [ ! -x "$SOCKPOP" ] || [ "$shared/bench/sockpop.c" -nt "$SOCKPOP" ]; then
		cc -O2 -Wall -pthread -o "$SOCKPOP" "$shared/bench/sockpop.c" || exit 1
	fi
}

# run_timed OUTFILE CMD...: run CMD with stdout to OUTFILE; sets T_SEC (wall
# seconds) and T_KB (peak RSS in KiB, from GNU time).
run_timed() {
	local out=$1 t0 t1 tf; shift
	tf=$(mktemp)
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M' -o "$tf" "$@" >"$out" 2>/dev/null
	t1=$EPOCHREALTIME
	T_SEC=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
	T_KB=$(tail -n 1 "$tf")
	rm -f "$tf"
}

# median of the numbers given
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
