# Shared by profile's tests (source after lib.sh): build the test program,
# guard on what profile needs, read its JSON.
H=${H:-$(dirname "${BASH_SOURCE[0]}")}

# prof_guard: end the script with a counted skip when profile cannot run
# here (built without libdw or BPF, programs refused).
prof_guard() {
	"$PORTSCOPE" profile -o /dev/null -- true >/dev/null 2>"$TMP/guard.err"
	if grep -qE "^portscope: profile (is unavailable|needs root)" "$TMP/guard.err"; then
		skip "profile" "$(head -1 "$TMP/guard.err")"
		exit 0
	fi
}

# prof_build NAME CFLAGS...: compile helpers/profile_app.c into $TMP/NAME.
prof_build() {
	local n=$1; shift
	cc -O2 "$@" -o "$TMP/$n" "$H/profile_app.c" || { notok "cannot build $n"; exit 0; }
}

# tcp_server PORT [ADDR]: a listener on ADDR (default 127.0.0.1):PORT that
# accepts and closes, until the test ends; waits until it listens.
tcp_server() {
	spawn python3 -c '
import socket, sys
a = sys.argv[2]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((a, int(sys.argv[1]))); s.listen(64)
print("ready", flush=True)
while True:
    c, _ = s.accept(); c.close()' "$1" "${2:-127.0.0.1}" >"$TMP/server.$1.${2:-4}"
	wait_for 10 grep -q ready "$TMP/server.$1.${2:-4}"
}

# jq_py FILE PYEXPR: evaluate PYEXPR with d = the JSON object in FILE, and
# helpers row(proto, port, direction) (the port row or {}), and
# fn(row) (its most frequent function's label).
jq_py() {
	python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def row(proto, port, direction):
    for r in d["ports"]:
        if r["proto"] == proto and r["port"] == port and r["direction"] == direction:
            return r
    return {}
def fn(r):
    f = r.get("functions") or [{}]
    return f[0].get("label", "")
v = eval(sys.argv[2])
print(v if not isinstance(v, bool) else ("yes" if v else "no"))
PY
}
