# portscope profile on a Python program: the connect is attributed to the
# interpreter's socket module (the first frame outside libc and the
# runtime: _socket's shared object, or the interpreter itself when the
# module is built in), and the whole stack, down through the runtime, is
# in the JSON.
. "$(dirname "$0")/lib.sh"
need_root "profile_python runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/profile_lib.sh"
prof_guard

P=7310
tcp_server $P
PY=$(python3 -c 'import sys; print(sys.executable)')
SOMOD=$("$PY" -c 'import _socket; print(getattr(_socket, "__file__", "") or "")')
cat >"$TMP/prog.py" <<'PYEOF'
import socket, sys

def fetch_updates(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.close()

def announce(port):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"hello", ("127.0.0.1", port))
    u.close()

fetch_updates(int(sys.argv[1]))
announce(int(sys.argv[1]) + 1)
PYEOF
"$PORTSCOPE" profile --json -o "$TMP/py.json" -- "$PY" "$TMP/prog.py" $P 2>"$TMP/err"
check_eq "exit status 0" "$?" 0
check_eq "two ports: tcp/$P connect and udp/$((P + 1)) send" \
	"$(jq_py "$TMP/py.json" "sorted((r['proto'], r['port'], r['direction']) for r in d['ports'])")" \
	"[('tcp', $P, 'connect'), ('udp', $((P + 1)), 'send')]"
if [ -n "$SOMOD" ]; then
	want=${SOMOD##*/}
	desc="the socket module's shared object ($want)"
	expr="f['module'].split('/')[-1] == '$want'"
else
	desc="the interpreter (its socket module is built in)"
	expr="f['kind'] == 'runtime'"
fi
for r in "tcp $P connect" "udp $((P + 1)) send"; do
	set -- $r
	check_eq "$1/$2 $3 is attributed to $desc" \
		"$(jq_py "$TMP/py.json" "(lambda st: (lambda f: $expr)([f for f in st['frames'] if f.get('attributed')][0]))(row('$1', $2, '$3')['stacks'][0])")" yes
done
check_eq "the JSON stack goes from libc through the socket module into the runtime" \
	"$(jq_py "$TMP/py.json" "(lambda k: k[0] == 'libc' and 'runtime' in k and k.index('runtime') > 1)([f['kind'] for f in row('tcp', $P, 'connect')['stacks'][0]['frames']])")" yes
check_eq "... and is more than a few frames deep" \
	"$(jq_py "$TMP/py.json" "len(row('tcp', $P, 'connect')['stacks'][0]['frames']) >= 6")" yes
if [ -n "$SOMOD" ]; then
	check_eq "the connect's function is the socket module's (sock_connect or internal_connect)" \
		"$(jq_py "$TMP/py.json" "row('tcp', $P, 'connect')['functions'][0]['function'] in ('internal_connect', 'sock_connect', 'sock_connect_impl')")" yes
fi
check_eq "nothing on stderr" "$(cat "$TMP/err")" ""
