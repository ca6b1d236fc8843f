# portscope profile --html: one self-contained page (nothing fetched from
# elsewhere) that a browser lays out into the summary, the port table with
# functions, the documentation check, the timeline and the stacks; what
# the command line holds cannot break out of the page's data block.
. "$(dirname "$0")/lib.sh"
need_root "profile_html runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/profile_lib.sh"
prof_guard

P=7350
prof_build app -g
tcp_server $P
printf 'tcp/%d connect\ntcp/9 connect\n' $P >"$TMP/doc"
# the last argument is only there to be shown, escaped
"$PORTSCOPE" profile --expect "$TMP/doc" --html "$TMP/p.html" -o "$TMP/p.txt" -- \
	sh -c 'exec "$0" run "$1"' "$TMP/app" $P '</script><b id="evil">x</b>'
check_eq "exit status 3 (the command's)" "$?" 3
check "the page was written" test -s "$TMP/p.html"
check_nogrep "no external fetches (src=, href=, url(), http)" "$TMP/p.html" 'src=|href=|url\(|https?:'
check_nogrep "the argument's </script> is escaped in the data block" "$TMP/p.html" '</script><b'

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "ok - the page in a browser # SKIP no chromium"
	exit 0
fi
run_chrome() {
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --user-data-dir="$TMP/chrome" "$@" \
		"file://$TMP/p.html" 2>/dev/null
}
run_chrome --dump-dom >"$TMP/dom.html"
dom() {	# dom PYEXPR: with t = {table id: [[cell text...] per row]}, evil = the element
	python3 - "$TMP/dom.html" "$1" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.t = {}; s.cur = None; s.row = None; s.cell = None; s.evil = False
    def handle_starttag(s, tag, a):
        a = dict(a)
        if a.get("id") == "evil": s.evil = True
        if tag == "table": s.cur = s.t.setdefault(a.get("id"), [])
        elif tag == "tr" and s.cur is not None: s.row = []; s.cur.append(s.row)
        elif tag in ("td", "th") and s.row is not None: s.cell = ""
    def handle_endtag(s, tag):
        if tag in ("td", "th") and s.cell is not None: s.row.append(s.cell.strip()); s.cell = None
        if tag == "table": s.cur = None
    def handle_data(s, d):
        if s.cell is not None: s.cell += d
p = P(); p.feed(open(sys.argv[1]).read())
t, evil = p.t, p.evil
print(eval(sys.argv[2]))
PY
}
check_eq "the summary: network used, loopback only" \
	"$(dom "[r[1] for r in t['summary'][1:3]]")" "['yes (3 ports and directions)', 'loopback only']"
check_eq "the port table: tcp/$P connect to, by fetch_updates()" \
	"$(dom "[r[:3] + [r[7].split(' (')[0]] for r in t['ports'] if r[0] == 'tcp/$P']")" \
	"[['tcp/$P', 'connect to', '1', 'app!fetch_updates']]"
check_eq "... three rows" "$(dom "len(t['ports']) - 1")" 3
check_eq "the documentation: unused tcp/9 connect" \
	"$(dom "[r[1] for r in t['expect'] if r[0] == 'documented, never used']")" "['tcp/9 connect']"
check_eq "the timeline starts with the connect" \
	"$(dom "t['timeline'][1][1:4]")" "['tcp/$P', 'connect to', 'app!fetch_updates']"
check_eq "the argument is shown as text, not as an element" "$(dom "evil")" False
check_grep "... and is there as text" "$TMP/dom.html" '&lt;/script&gt;&lt;b id="evil"&gt;x&lt;/b&gt;'
run_chrome --screenshot="$TMP/p.png" --window-size=1400,1000
check "a screenshot can be taken" test -s "$TMP/p.png"
