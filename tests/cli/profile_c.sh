# portscope profile names the function behind each port: a C program whose
# fetch_updates() connects over TCP, announce() sends UDP and serve_admin()
# listens, built with frame pointers, without them, and stripped (then the
# module and an address inside the right function, checked against the
# symbols of the same code unstripped).
. "$(dirname "$0")/lib.sh"
need_root "profile_c runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/profile_lib.sh"
prof_guard

P=7300
prof_build app-fp -g -fno-omit-frame-pointer
prof_build app-nofp -g -fomit-frame-pointer
strip -s -o "$TMP/app-stripped" "$TMP/app-nofp"
tcp_server $P

for app in app-fp app-nofp; do
	"$PORTSCOPE" profile --json -o "$TMP/$app.json" -- "$TMP/$app" run $P 2>"$TMP/$app.err"
	check_eq "$app: the command's exit status is profile's" "$?" 3
	check_eq "$app: tcp/$P connect is fetch_updates()" \
		"$(jq_py "$TMP/$app.json" "fn(row('tcp', $P, 'connect'))")" "$app!fetch_updates"
	check_eq "$app: udp/$((P + 1)) send is announce()" \
		"$(jq_py "$TMP/$app.json" "fn(row('udp', $((P + 1)), 'send'))")" "$app!announce"
	check_eq "$app: tcp/$((P + 2)) listen is serve_admin()" \
		"$(jq_py "$TMP/$app.json" "fn(row('tcp', $((P + 2)), 'listen'))")" "$app!serve_admin"
	check_eq "$app: ... with its source line (debug information)" \
		"$(jq_py "$TMP/$app.json" "row('tcp', $((P + 2)), 'listen')['functions'][0]['file'].endswith('profile_app.c')")" yes
	check_eq "$app: three ports, each used once, all attributed" \
		"$(jq_py "$TMP/$app.json" "(len(d['ports']), [r['count'] for r in d['ports']], d['summary']['attributed'])")" \
		"(3, [1, 1, 1], 3)"
	check_eq "$app: the full stack is kept: libc's connect, fetch_updates, ... main" \
		"$(jq_py "$TMP/$app.json" "(lambda fs: fs[:2] + ['main' if 'main' in fs else '(no main)'])([f.get('function') for f in row('tcp', $P, 'connect')['stacks'][0]['frames']])")" \
		"['connect', 'fetch_updates', 'main']"
	check_eq "$app: nothing on stderr" "$(cat "$TMP/$app.err")" ""
done

app=app-stripped
"$PORTSCOPE" profile --json -o "$TMP/$app.json" -- "$TMP/$app" run $P 2>"$TMP/$app.err"
check_eq "$app: exit status passed through" "$?" 3
for f in fetch_updates:tcp:$P:connect announce:udp:$((P + 1)):send serve_admin:tcp:$((P + 2)):listen; do
	IFS=: read -r name proto port dir <<<"$f"
	read -r start size <<<"$(nm -S "$TMP/app-nofp" | awk -v n="$name" '$4 == n { print $1, $2 }')"
	check_eq "$app: $proto/$port $dir is in module $app, at an address inside $name() (no symbols left)" \
		"$(jq_py "$TMP/$app.json" "(lambda f: (f['module'].split('/')[-1], f['function'], 0x$start <= f['address'] < 0x$start + 0x$size))(row('$proto', $port, '$dir')['functions'][0])")" \
		"('$app', None, True)"
done

# IPv6, and a UDP port bound but never sent from: connect to [::1]:P6,
# a datagram to [::1]:P6+1, a bind on [::]:P6+3, each named
P6=7320
tcp_server $P6 ::1
"$PORTSCOPE" profile --json -o "$TMP/v6.json" -- "$TMP/app-nofp" v6 $P6 2>"$TMP/v6.err"
check_eq "v6: exit 0, nothing on stderr" "$?:$(cat "$TMP/v6.err")" "0:"
check_eq "v6: tcp/$P6 connect to ::1 is fetch_updates6()" \
	"$(jq_py "$TMP/v6.json" "(fn(row('tcp', $P6, 'connect')), row('tcp', $P6, 'connect').get('peers'))")" \
	"('app-nofp!fetch_updates6', ['::1'])"
check_eq "v6: udp/$((P6 + 1)) send is announce6()" \
	"$(jq_py "$TMP/v6.json" "fn(row('udp', $((P6 + 1)), 'send'))")" "app-nofp!announce6"
check_eq "v6: udp/$((P6 + 1)) send went to ::1" \
	"$(jq_py "$TMP/v6.json" "row('udp', $((P6 + 1)), 'send').get('peers')")" "['::1']"
check_eq "v6: udp/$((P6 + 3)) bind on :: is open_beacon()" \
	"$(jq_py "$TMP/v6.json" "(fn(row('udp', $((P6 + 3)), 'bind')), row('udp', $((P6 + 3)), 'bind').get('addresses'))")" \
	"('app-nofp!open_beacon', ['::'])"
check_eq "v6: a UDP port bound on :: counts as listening on all addresses" \
	"$(jq_py "$TMP/v6.json" "d['summary']['listens_on_all_addresses']")" "['udp/$((P6 + 3)) on ::']"
check_eq "v6: exactly these three rows" \
	"$(jq_py "$TMP/v6.json" "sorted((r['proto'], r['port'], r['direction']) for r in d['ports'])")" \
	"[('tcp', $P6, 'connect'), ('udp', $((P6 + 1)), 'send'), ('udp', $((P6 + 3)), 'bind')]"
"$PORTSCOPE" profile -o "$TMP/v6.text" -- "$TMP/app-nofp" v6 $P6
check_grep "v6 text: the connect row shows ::1" "$TMP/v6.text" \
	"^  tcp/$P6 +connect to +1 .*::1.*app-nofp!fetch_updates6 \(1\)$"
check_grep "v6 text: the bind row" "$TMP/v6.text" \
	"^  udp/$((P6 + 3)) +bind .*app-nofp!open_beacon \(1\)$"

# the same libc connect reached from two callers in turn, 200 times: each
# stack is told apart (a chain recognised from an earlier stack must be
# the same chain), with and without frame pointers
for app in app-fp app-nofp; do
	"$PORTSCOPE" profile --json -o "$TMP/alt.json" -- "$TMP/$app" alternate $P 200
	check_eq "$app: alternate callers: exit 0" "$?" 0
	check_eq "$app: tcp/$P connect: fetch_updates 100 times, poll_status 100 times" \
		"$(jq_py "$TMP/alt.json" "sorted((f['label'], f['count']) for f in row('tcp', $P, 'connect')['functions'])")" \
		"[('$app!fetch_updates', 100), ('$app!poll_status', 100)]"
done
check "... most stacks without frame pointers were recognised, not walked again" \
	test "$(jq_py "$TMP/alt.json" "d['summary']['stacks_recognised']")" -ge 150

# stripped, but its functions exported (-rdynamic): the exported symbol
prof_build app-export -g -fomit-frame-pointer -rdynamic
strip -s "$TMP/app-export"
"$PORTSCOPE" profile --json -o "$TMP/app-export.json" -- "$TMP/app-export" run $P
check_eq "app-export: stripped, exported: tcp/$P connect is fetch_updates() from .dynsym" \
	"$(jq_py "$TMP/app-export.json" "fn(row('tcp', $P, 'connect'))")" "app-export!fetch_updates"

# the text form
"$PORTSCOPE" profile -o "$TMP/text" -- "$TMP/app-nofp" run $P
check_grep "text: network used" "$TMP/text" "^  network used: +yes \(3 ports"
check_grep "text: loopback only" "$TMP/text" "^  reach: +loopback only"
check_grep "text: listens on all addresses (0.0.0.0)" "$TMP/text" \
	"listens on all addresses: yes: tcp/$((P + 2)) on 0\.0\.0\.0"
check_grep "text: the port table names the function" "$TMP/text" \
	"^  tcp/$P +connect to +1 .*127\.0\.0\.1 .*app-nofp!fetch_updates \(1\)$"
check_grep "text: the timeline lists the connect first" "$TMP/text" \
	"^  \+0\.[0-9]{3}s +tcp/$P +connect to +app-nofp!fetch_updates$"
check_eq "text: timeline order is connect, send, listen" \
	"$(sed -n '/^Timeline/,$p' "$TMP/text" | awk 'NR > 1 { print $2 }' | paste -sd' ')" \
	"tcp/$P udp/$((P + 1)) tcp/$((P + 2))"
