# portscope report --resolve against DNS servers the test runs in a network
# namespace of its own (`ip netns exec` gives the report the namespace's
# resolv.conf and hosts file): dnsmasq serves PTR records for the remote
# addresses of a made-up database, two of them hostile names.  Checks: the
# names in text, JSON, CSV and HTML; one lookup per address however often
# it appears; an address without a name stays an address; the hostile
# names are refused; with a server that never answers, the report comes in
# its budget with the "not resolved" line, counts exact; bad option values
# are one line and status 2.
. "$(dirname "$0")/lib.sh"
H=$(dirname "$0")/helpers

bad() {	# bad DESC WANT ARGS...
	local desc=$1 want=$2 out rc; shift 2
	out=$("$PORTSCOPE" report "$@" 2>&1); rc=$?
	check_eq "$desc: status 2, one line" "$rc $out" "2 portscope: $want"
}
see="; see 'portscope help report'"
bad "--resolve-timeout 0" "bad resolve-timeout '0': too small, give 0.1-60 seconds$see" \
	--resolve --resolve-timeout 0
bad "--resolve-timeout 61" "bad resolve-timeout '61': too large, give 0.1-60 seconds$see" \
	--resolve --resolve-timeout 61
bad "--resolve-timeout with a newline" \
	"bad resolve-timeout '1\\x0a2': not a number, give 0.1-60 seconds$see" \
	--resolve --resolve-timeout $'1\n2'
bad "--resolve-timeout twice" "option '--resolve-timeout' given twice ('1' and '2')$see" \
	--resolve --resolve-timeout 1 --resolve-timeout 2
bad "--resolve-timeout without --resolve" "--resolve-timeout needs --resolve$see" \
	--resolve-timeout 1
bad "--resolve with --format pr" \
	"--resolve: PR-PORTS lines have no names; leave out --format pr or --resolve$see" \
	--resolve --format pr

if ! "$PORTSCOPE" --version | grep -qx 'cares: yes'; then
	bad "--resolve in a build without c-ares" \
		"cannot resolve names: this portscope was built without c-ares (install libc-ares-dev and rebuild)" \
		--resolve
	skip "report --resolve against a DNS server" "built without c-ares"
	exit 0
fi
need_root "report_resolve makes a network namespace with its own DNS server"
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || { notok "dnsmasq is not installed (.ci lists dnsmasq-base)"; exit 0; }

# The database: 40 connections to 9 addresses (4 or 5 each, to different
# ports), and the same again from a second host.
db=$TMP/a.db db2=$TMP/b.db
check "a database of made-up traffic" "$H/report_gen.sh" "$PORTSCOPE" "$db" 0 40
sqlite3 "$db" "UPDATE intervals SET remote_addr = CASE id % 9 WHEN 0 THEN '10.9.0.1'
  WHEN 1 THEN '10.9.0.2' WHEN 2 THEN '10.9.0.3' WHEN 3 THEN '10.9.0.4' WHEN 4 THEN '10.9.0.5'
  WHEN 5 THEN '10.9.0.6' WHEN 6 THEN '10.9.0.7' WHEN 7 THEN '127.0.0.1' ELSE 'fd00:9::1' END;
  VACUUM INTO '$db2'"
sqlite3 "$db" "UPDATE meta SET value = 'bench' WHERE key = 'hostname'"
sqlite3 "$db2" "UPDATE meta SET value = 'other' WHERE key = 'hostname';
  UPDATE meta SET value = '0123456789abcdef0123456789abcdef' WHERE key = 'machine_id'"
six=$(python3 -c "import ipaddress; print(ipaddress.ip_address('fd00:9::1').reverse_pointer)")

NS=psresolve$$
ip netns add "$NS" || { notok "cannot make network namespace $NS"; exit 0; }
on_exit ip netns del "$NS"
mkdir -p "/etc/netns/$NS"
on_exit rm -rf "/etc/netns/$NS"
ip netns exec "$NS" ip link set lo up
# c-ares reads /etc/hosts (nsswitch.conf lists files): one name from there
printf '10.9.0.7 fromhosts.test\n' >"/etc/netns/$NS/hosts"
printf 'nameserver 127.0.0.1\n' >"/etc/netns/$NS/resolv.conf"
dnslog=$TMP/dns.log
spawn ip netns exec "$NS" "$DNSMASQ" --keep-in-foreground --no-resolv --no-hosts --user=root \
	--pid-file= --listen-address=127.0.0.1 --bind-interfaces --local=/arpa/ --log-queries \
	--log-facility="$dnslog" \
	--ptr-record=1.0.9.10.in-addr.arpa,one.test \
	--ptr-record=2.0.9.10.in-addr.arpa,two.test \
	--ptr-record='4.0.9.10.in-addr.arpa,ev"il<script>alert(1)</script>.test' \
	--ptr-record=1.0.0.127.in-addr.arpa,loop.test \
	--ptr-record="$six,six.test"
listening() { ip netns exec "$NS" ss -Hlun 'sport = 53' | grep -q 127.0.0.1; }
check "dnsmasq listens in the namespace" wait_for 10 listening

RR() { ip netns exec "$NS" "$PORTSCOPE" report --db "$db" "$@"; }
ptrs() { grep -c 'query\[PTR\]' "$dnslog"; }

# Without --resolve: no lookups, no NAME column, name null in JSON
RR >"$TMP/plain.txt" 2>"$TMP/plain.err"
check_eq "without --resolve: status 0, nothing on stderr" "$? $(cat "$TMP/plain.err")" "0 "
check_nogrep "without --resolve: no NAME column in text" "$TMP/plain.txt" "REMOTE ADDRESS +NAME"
check_nogrep "without --resolve: no names line" "$TMP/plain.txt" "^names:"
RR --html "$TMP/plain.html"
check_grep "without --resolve: the HTML has the remotes' addresses" "$TMP/plain.html" 'data-key="address"'
check_nogrep "without --resolve: no NAME column in HTML" "$TMP/plain.html" 'data-key="name"'
check_eq "without --resolve: no PTR query was made" "$(ptrs)" 0

# JSON, both hosts, a remote of interest
n0=$(ptrs)
t0=$(date +%s%N)
RR --db "$db2" --resolve --json --remotes-of-interest 10.9.0.1 >"$TMP/r.json" 2>"$TMP/r.err"
rc=$?
t1=$(date +%s%N)
echo "# --resolve with a working DNS server, 9 addresses: $(( (t1 - t0) / 1000000 )) ms"
check_eq "--resolve --json: status 0, nothing on stderr" "$rc $(cat "$TMP/r.err")" "0 "
check_eq "one PTR query for each of the 8 addresses not in the hosts file, though each is on several rows of 2 hosts" \
	"$(( $(ptrs) - n0 ))" 8
check_eq "10.9.0.1 asked for once" "$(grep -c 'query\[PTR\] 1\.0\.9\.10\.' "$dnslog")" 1
python3 - "$TMP/r.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
def check(d, c, got=None):
    print(("ok - " if c else "not ok - ") + d + ("" if c or got is None else "  # got %r" % (got,)))
want = {"10.9.0.1": "one.test", "10.9.0.2": "two.test", "10.9.0.3": None, "10.9.0.4": None,
        "10.9.0.5": None, "10.9.0.6": None, "10.9.0.7": "fromhosts.test",
        "127.0.0.1": "loop.test", "fd00:9::1": "six.test"}
rem = doc["sections"]["remotes"]
check("remotes: 'name' is the column after 'address'",
      list(rem[0].keys())[3:5] == ["address", "name"], list(rem[0].keys()))
got = {}
for r in rem:
    got.setdefault(r["address"], set()).add(r["name"])
check("remotes: every row of an address has its name (or null: no PTR, or a hostile one)",
      got == {a: {n} for a, n in want.items()}, got)
check("remotes: rows of both hosts", {r["host"] for r in rem} == {"bench", "other"},
      {r["host"] for r in rem})
check("names: 9 addresses, 5 named, 3 without a name, 1 rejected, 0 not resolved, 2 s",
      doc.get("names") == {"addresses": 9, "named": 5, "no_name": 3, "rejected": 1,
                           "not_resolved": 0, "timeout_seconds": 2}, doc.get("names"))
roi = [i for i in doc["sections"]["interest"] if i["what"] == "remote of interest"]
check("the remote of interest shows its name (both hosts)",
      len(roi) == 2 and all(i["subject"] == "10.9.0.1" and i["detail"].startswith("name one.test; in 10.9.0.1")
      for i in roi), roi)
raw = open(sys.argv[1]).read()
check("the hostile name is nowhere in the document", "script" not in raw)
PY

# text, CSV, HTML
RR --resolve >"$TMP/r.txt" 2>"$TMP/r.err"
check_eq "--resolve (text): status 0, nothing on stderr" "$? $(cat "$TMP/r.err")" "0 "
check_grep "text: the names line" "$TMP/r.txt" \
	"^names: 5 of 9 addresses named, 3 without a name, 1 rejected \(not a host name\)$"
check_grep "text: a NAME column after REMOTE ADDRESS" "$TMP/r.txt" "REMOTE ADDRESS +NAME +PORT"
check_grep "text: 10.9.0.1 one.test" "$TMP/r.txt" " 10\.9\.0\.1 +one\.test +[0-9]"
check_grep "text: fd00:9::1 six.test" "$TMP/r.txt" " fd00:9::1 +six\.test +[0-9]"
check_grep "text: 10.9.0.3 without a name" "$TMP/r.txt" " 10\.9\.0\.3 +[0-9]+ +[0-9]"
RR --resolve --csv --section remotes >"$TMP/r.csv"
python3 - "$TMP/r.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
def check(d, c, got=None):
    print(("ok - " if c else "not ok - ") + d + ("" if c or got is None else "  # got %r" % (got,)))
check("CSV: the header has name after address",
      open(sys.argv[1]).readline().startswith("host,direction,proto,address,name,port,"))
names = {r["address"]: r["name"] for r in rows}
check("CSV: names by address", names == {"10.9.0.1": "one.test", "10.9.0.2": "two.test",
      "10.9.0.3": "", "10.9.0.4": "", "10.9.0.5": "", "10.9.0.6": "", "10.9.0.7": "fromhosts.test",
      "127.0.0.1": "loop.test", "fd00:9::1": "six.test"}, names)
PY
RR --resolve --html "$TMP/r.html"
check_eq "HTML: status 0" "$?" 0
check_grep "HTML: a NAME heading after REMOTE ADDRESS" "$TMP/r.html" \
	'>REMOTE ADDRESS</th><th [^>]*data-key="name"[^>]*>NAME</th>'
check_grep "HTML: a name in its cell" "$TMP/r.html" '>10\.9\.0\.1</td><td[^>]*>one\.test</td>'
check_grep "HTML: the names line" "$TMP/r.html" \
	"<p class=\"meta\">names: 5 of 9 addresses named, 3 without a name, 1 rejected \(not a host name\)</p>"
check_eq "HTML: one <script> (the page's own), no hostile name" \
	"$(grep -o '<script>' "$TMP/r.html" | wc -l) $(grep -c 'alert' "$TMP/r.html")" "1 0"

# A server that answers with hostile names: quotes and markup, control
# bytes and an escape sequence, a leading '-'
server() {	# server ADDR MODE: start helpers/dns_server.py in the namespace
	printf 'nameserver %s\n' "$1" >"/etc/netns/$NS/resolv.conf"
	spawn ip netns exec "$NS" python3 "$H/dns_server.py" "$1" "$2" "$TMP/$2.count" >"$TMP/$2.out"
	check "the $2 DNS server is up" wait_for 10 grep -q ready "$TMP/$2.out"
}
server 127.0.0.3 hostile
for f in text json csv; do
	case $f in csv) args=(--csv --section remotes) ;; *) args=(--format "$f") ;; esac
	RR --resolve "${args[@]}" >"$TMP/h.$f" 2>"$TMP/h.err"
	check_eq "hostile names ($f): status 0, nothing on stderr" "$? $(cat "$TMP/h.err")" "0 "
done
RR --resolve --html "$TMP/h.html"
check_eq "the hostile server was asked for the 8 addresses not in the hosts file (x4 reports)" \
	"$(cat "$TMP/hostile.count")" 32
check_grep "hostile names: 3 rejected, the good one kept" "$TMP/h.text" \
	"^names: 2 of 9 addresses named, 4 without a name, 3 rejected \(not a host name\)$"
check_grep "hostile names: two.test from the same server" "$TMP/h.text" " 10\.9\.0\.2 +two\.test "
check_eq "hostile names: nothing of them in text, JSON, CSV or HTML" \
	"$(cat "$TMP"/h.text "$TMP"/h.json "$TMP"/h.csv "$TMP"/h.html | grep -acE 'alert|ctl|-rf|\\u0001|\\u001b')" 0
check "hostile names: no control byte in any output" python3 -c '
import sys
sys.exit(any(b < 32 and b not in (9, 10, 13) for f in sys.argv[1:] for b in open(f, "rb").read()))' \
	"$TMP"/h.text "$TMP"/h.json "$TMP"/h.csv "$TMP"/h.html

# A DNS server that takes the questions and never answers
server 127.0.0.2 silent
t0=$(date +%s%N)
RR --resolve --resolve-timeout 1 >"$TMP/dead.txt" 2>"$TMP/dead.err"
rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "# --resolve --resolve-timeout 1 with a DNS server that never answers: $ms ms"
check_eq "a dead DNS server: status 0" "$rc" 0
check "a dead DNS server: the report within 10 s (took $ms ms)" test "$ms" -lt 10000
check "the silent server was asked (at least 8 questions)" \
	test "$(cat "$TMP/silent.count" 2>/dev/null || echo 0)" -ge 8
check_eq "a dead DNS server: one line on stderr" "$(cat "$TMP/dead.err")" \
	"portscope: 8 of 9 names not resolved within 1 s; they are shown as addresses"
check_grep "a dead DNS server: the names line in the report" "$TMP/dead.txt" \
	"^names: 1 of 9 addresses named; 8 of 9 names not resolved within 1 s$"
check_grep "a dead DNS server: the hosts file's name is there" "$TMP/dead.txt" \
	" 10\.9\.0\.7 +fromhosts\.test "
check_grep "a dead DNS server: 10.9.0.1 left as an address" "$TMP/dead.txt" " 10\.9\.0\.1 +[0-9]+ +[0-9]"
RR --resolve --resolve-timeout 1 --json >"$TMP/dead.json" 2>/dev/null
check_eq "a dead DNS server: JSON names" \
	"$(jq -c .names "$TMP/dead.json")" \
	'{"addresses":9,"named":1,"no_name":0,"rejected":0,"not_resolved":8,"timeout_seconds":1}'
true
