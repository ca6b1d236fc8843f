# portscope profile --expect: the documentation against what was used: a
# port used but not documented (udp send), a documented port never used
# (tcp/9 connect), and the matches.
. "$(dirname "$0")/lib.sh"
need_root "profile_expect runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/profile_lib.sh"
prof_guard

P=7330
prof_build app -g
tcp_server $P
cat >"$TMP/doc" <<DOC
# what the vendor says
tcp/$P connect    # updates
tcp/$((P + 2)) listen   # admin console

tcp/9 connect
DOC
"$PORTSCOPE" profile --expect "$TMP/doc" --json -o "$TMP/e.json" -- "$TMP/app" run $P
check_eq "exit status 3 (the command's)" "$?" 3
check_eq "used, not documented: udp/$((P + 1)) send" \
	"$(jq_py "$TMP/e.json" "d['expect']['undocumented']")" "['udp/$((P + 1)) send']"
check_eq "documented, never used: tcp/9 connect" \
	"$(jq_py "$TMP/e.json" "d['expect']['unused']")" "['tcp/9 connect']"
check_eq "matches: tcp/$P connect, tcp/$((P + 2)) listen" \
	"$(jq_py "$TMP/e.json" "d['expect']['matches']")" "['tcp/$P connect', 'tcp/$((P + 2)) listen']"
"$PORTSCOPE" profile --expect "$TMP/doc" -o "$TMP/e.txt" -- "$TMP/app" run $P
sed -n '/^Against the documentation/,/^$/p' "$TMP/e.txt" >"$TMP/section"
check_eq "text: the three lists, in order" "$(cat "$TMP/section")" "Against the documentation ($TMP/doc)
  used, not documented:
    udp/$((P + 1)) send
  documented, never used:
    tcp/9 connect (line 5)
  documented and used:
    tcp/$P connect
    tcp/$((P + 2)) listen"
