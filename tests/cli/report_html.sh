# portscope report --html: one self-contained page, checked the way a
# person sees it: headless Chromium renders it (no network), the rendered
# DOM has every section, the charts and the sortable tables, the page logs
# no console error, and a screenshot is taken (kept with KEEP_SHOT=PATH).
. "$(dirname "$0")/lib.sh"
need_root "report_html makes its database with record in a namespace of its own"
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { notok "chromium is not installed (.ci lists it)"; exit 0; }
H=$(dirname "$0")/helpers
db=$TMP/g.db
check "a database of made-up traffic" "$H/report_gen.sh" "$PORTSCOPE" "$db" 20000 5000

"$PORTSCOPE" report --db "$db" --html "$TMP/r.html" --ports-of-interest 80 >"$TMP/out" 2>&1
check_eq "report --html FILE: status 0, nothing on the terminal" "$? $(cat "$TMP/out")" "0 "
check_eq "the page fetches nothing: no src= or href= anywhere" \
	"$(grep -Eoc '(src|href)=' "$TMP/r.html")" 0
check_grep "the page forbids fetches (Content-Security-Policy default-src 'none')" \
	"$TMP/r.html" "default-src 'none'"

chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --no-first-run --user-data-dir="$(mktemp -d "$TMP/prof.XXXX")" \
		--enable-logging=stderr --v=0 "$@" "file://$TMP/r.html"
}
chrome --dump-dom >"$TMP/dom.html" 2>"$TMP/dom.err"
check_eq "chromium rendered the page (status 0)" "$?" 0
python3 - "$TMP/dom.html" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.ids = set(); s.rects = {}; s.svg = None; s.tables = 0; s.ths = 0; s.cur = None
    def handle_starttag(s, tag, a):
        a = dict(a)
        if "id" in a: s.ids.add(a["id"])
        if tag == "svg": s.svg = a.get("id"); s.rects[s.svg] = 0
        if tag == "rect" and s.svg: s.rects[s.svg] += 1
        if tag == "table" and "sortable" in (a.get("class") or ""): s.tables += 1
        if tag == "th": s.ths += 1
    def handle_endtag(s, tag):
        if tag == "svg": s.svg = None
p = P(); p.feed(open(sys.argv[1]).read())
def check(d, c, got=None):
    print(("ok - " if c else "not ok - ") + d + ("" if c else "  # got %r" % (got,)))
for sec in ("interest", "ports", "processes", "remotes", "users", "hours", "days"):
    check("rendered DOM: section '%s'" % sec, sec in p.ids)
check("rendered DOM: the hour chart (SVG) with 24 bars", p.rects.get("chart-hours") == 24, p.rects)
check("rendered DOM: the day chart (SVG) with 8 bars (a week, hour-aligned ends)", p.rects.get("chart-days") in (7, 8), p.rects)
check("rendered DOM: sortable tables, one per section", p.tables == 7, p.tables)
doc = open(sys.argv[1]).read()
check("things of interest come first", doc.find('id="interest"') < doc.find('id="ports"') > 0)
check("things of interest: the odd path and the port of interest", "/tmp/.x/prog7" in doc and "port of interest" in doc)
PY
check_nogrep "no console errors or uncaught exceptions" "$TMP/dom.err" "CONSOLE|Uncaught|SyntaxError|Refused to"
chrome --screenshot="$TMP/shot.png" --window-size=1200,1400 >/dev/null 2>"$TMP/shot.err"
check "chromium took a screenshot (a PNG)" python3 -c '
import sys; d = open(sys.argv[1], "rb").read(); sys.exit(0 if d[:8] == b"\x89PNG\r\n\x1a\n" and len(d) > 20000 else 1)' "$TMP/shot.png"
[ -n "${KEEP_SHOT:-}" ] && cp "$TMP/shot.png" "$KEEP_SHOT"
true
