/*
 * The report as one self-contained HTML page: no network fetches, no
 * external scripts, fonts or images.  The page is drawn from the model by
 * one table renderer (every section the same way), the time charts are
 * inline SVG drawn here, and a few lines of inline script sort a table
 * when its heading is clicked.  Things of interest come first.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report/report.h"

static const char page_head[] =
"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
"style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
"<title>portscope report</title>\n<style>\n"
"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}\n"
"h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .4em}\n"
"p.meta{color:#555;margin:.2em 0}\n"
"table{border-collapse:collapse;margin:.3em 0}\n"
"th,td{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\n"
"th{background:#f2f2f2;white-space:nowrap}\n"
"th.n{text-align:right}\n"
"th button{font:inherit;font-weight:bold;color:inherit;background:none;border:0;"
"padding:0;margin:0;cursor:pointer;text-align:inherit}\n"
"th button:focus-visible{outline:2px solid #2e86c1;outline-offset:2px}\n"
"th[aria-sort=ascending] button::after{content:' \\25B2'}\n"
"th[aria-sort=descending] button::after{content:' \\25BC'}\n"
"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
"td.t{white-space:nowrap;font-variant-numeric:tabular-nums}\n"
"td.h{white-space:nowrap}\n"
"section#interest{border-left:4px solid #c0392b;padding-left:1em}\n"
".pair{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}\n"
"svg text{font:11px system-ui,sans-serif;fill:#444}\n"
"svg text.axis{font-size:12px;fill:#222}\n"
".none{color:#777}\n"
"</style></head><body>\n";

/*
 * Sorting, added by the script so that without JavaScript the headings are
 * plain text: each heading's text goes into a <button> (focusable; Enter
 * and Space click it), a click sorts by that column, ascending first, then
 * descending, and aria-sort says which.  The key is the cell's data-v when
 * it has one (times, percentages, addresses), else its text; numeric
 * columns (data-type="n") compare as numbers, an empty cell lowest.  Equal
 * keys keep the page's first order, so every order is fully determined.
 */
static const char page_script[] =
"<script>\n"
"(function(){\n"
"function sortBy(th){\n"
"var tb=th.closest('table'),body=tb.tBodies[0],num=th.getAttribute('data-type')==='n';\n"
"var asc=th.getAttribute('aria-sort')!=='ascending',dir=asc?1:-1;\n"
"var col=Array.prototype.indexOf.call(th.parentNode.children,th);\n"
"var rows=Array.prototype.slice.call(body.rows),keys=new Array(rows.length);\n"
"rows.forEach(function(r,i){var td=r.cells[col],v=td.getAttribute('data-v');\n"
"if(v===null)v=td.textContent;\n"
"keys[i]={k:num?(v===''?-Infinity:Number(v)):v.toLowerCase(),i:r._i,r:r};});\n"
"keys.sort(function(a,b){return a.k<b.k?-dir:a.k>b.k?dir:a.i-b.i;});\n"
"var f=document.createDocumentFragment();\n"
"keys.forEach(function(x){f.appendChild(x.r);});body.appendChild(f);\n"
"tb.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});\n"
"th.setAttribute('aria-sort',asc?'ascending':'descending');}\n"
"document.querySelectorAll('table.sortable').forEach(function(tb){\n"
"Array.prototype.forEach.call(tb.tBodies[0].rows,function(r,i){r._i=i;});\n"
"tb.querySelectorAll('th').forEach(function(th){\n"
"var b=document.createElement('button');b.type='button';\n"
"b.title='sort by '+th.textContent.toLowerCase();\n"
"while(th.firstChild)b.appendChild(th.firstChild);th.appendChild(b);\n"
"b.addEventListener('click',function(){sortBy(th);});});});\n"
"})();\n"
"</script>\n";

static void
html_esc(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_putc(b, *s);
		}
	}
}

static int
numeric(const struct rep_col *col)
{
	return col->type == REP_INT || col->type == REP_PCT || col->type == REP_TIME;
}

/* The sort key of a cell whose text does not sort the way a person
 * expects, into key; NULL when its text is its key.  Times sort as
 * seconds and percentages at the precision of the JSON document, so a
 * page sorts the way the same report's --json would; an IPv4 or IPv6
 * address sorts by its value ("4:" or "6:" and its bytes in hex), IPv4
 * first. */
static const char *
sort_key(const struct rep_col *col, const struct rep_cell *c, char *key, size_t len)
{
	unsigned char a[16];
	const char *s;
	int fam, n, i;

	if (c->null)
		return NULL;
	switch (col->type) {
	case REP_TIME:
		snprintf(key, len, "%" PRId64, c->i / 1000000000);
		return key;
	case REP_PCT:
		snprintf(key, len, "%.3f", c->d);
		return key;
	case REP_TEXT:
		s = c->s ? c->s : "";
		fam = strchr(s, ':') ? AF_INET6 : AF_INET;
		if (len < 35 || inet_pton(fam, s, a) != 1)
			return NULL;
		n = fam == AF_INET6 ? 16 : 4;
		key[0] = fam == AF_INET6 ? '6' : '4';
		key[1] = ':';
		for (i = 0; i < n; i++)
			snprintf(key + 2 + 2 * i, 3, "%02x", a[i]);
		return key;
	default:
		return NULL;
	}
}

static void
html_table(const struct report *rep, const struct rep_table *t, struct buf *b)
{
	const struct rep_cell *c;
	char tmp[64], key[64];
	const char *k;
	size_t r;
	int i;

	if (t->nrows == 0) {
		buf_puts(b, "<p class=\"none\">(none)</p>\n");
		return;
	}
	buf_printf(b, "<table class=\"sortable\" id=\"t-%s\"><thead><tr>", t->name);
	for (i = 0; i < t->ncols; i++) {
		if (!rep_col_shown(rep, &t->cols[i]))
			continue;
		buf_printf(b, "<th scope=\"col\" data-key=\"%s\" data-type=\"%s\"%s>",
		    t->cols[i].key, numeric(&t->cols[i]) ? "n" : "s",
		    t->cols[i].type == REP_INT || t->cols[i].type == REP_PCT ?
		    " class=\"n\"" : "");
		html_esc(b, t->cols[i].head);
		buf_puts(b, "</th>");
	}
	buf_puts(b, "</tr></thead><tbody>\n");
	for (r = 0; r < t->nrows; r++) {
		buf_puts(b, "<tr>");
		for (i = 0; i < t->ncols; i++) {
			if (!rep_col_shown(rep, &t->cols[i]))
				continue;
			c = rep_cell(t, r, i);
			buf_puts(b, t->cols[i].type == REP_INT || t->cols[i].type == REP_PCT ?
			    "<td class=\"n\"" : t->cols[i].type == REP_TIME ?
			    "<td class=\"t\"" : t->cols[i].type == REP_HOST ?
			    "<td class=\"h\"" : "<td");
			if ((k = sort_key(&t->cols[i], c, key, sizeof(key))))
				buf_printf(b, " data-v=\"%s\"", k);
			buf_putc(b, '>');
			html_esc(b, rep_cell_str(&t->cols[i], c, tmp, sizeof(tmp)));
			buf_puts(b, "</td>");
		}
		buf_puts(b, "</tr>\n");
		buf_maybe_flush(b);
	}
	buf_puts(b, "</tbody></table>\n");
}

/* A bar chart of column vcol of t, each bar labelled by column lcol, the
 * axes by xlabel and ylabel. */
static void
svg_bars(const struct rep_table *t, int lcol, int vcol, const char *id, const char *xlabel,
    const char *ylabel, struct buf *b)
{
	const int W = 760, H = 200, top = 10, left = 60, bottom = 44;
	int64_t max = 0;
	char tmp[64];
	size_t r, n = t->nrows;
	double bw, x, h;
	int k;

	for (r = 0; r < n; r++)
		if (rep_cell(t, r, vcol)->i > max)
			max = rep_cell(t, r, vcol)->i;
	bw = n ? (double)(W - left - 10) / (double)n : 0;
	buf_printf(b, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", id, W, H, W, H);
	buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n",
	    left, H - bottom, W - 10, H - bottom);
	buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n",
	    left, top, left, H - bottom);
	buf_printf(b, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
	    left + (W - 10 - left) / 2, H - 6, xlabel);
	buf_printf(b, "<text class=\"axis\" transform=\"translate(14 %d) rotate(-90)\" "
	    "text-anchor=\"middle\">%s</text>\n", top + (H - bottom - top) / 2, ylabel);
	for (k = 0; k <= 2; k++)
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRId64 "</text>\n",
		    left - 4, H - bottom - k * (H - bottom - top) / 2 + 4, max * k / 2);
	for (r = 0; r < n; r++) {
		x = left + bw * (double)r;
		h = max ? (double)rep_cell(t, r, vcol)->i * (H - bottom - top) / (double)max : 0;
		buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"#2e86c1\"><title>", x + 1, H - bottom - h,
		    bw > 2 ? bw - 2 : bw, h);
		html_esc(b, rep_cell_str(&t->cols[lcol], rep_cell(t, r, lcol), tmp, sizeof(tmp)));
		buf_printf(b, ": %" PRId64 "</title></rect>\n", rep_cell(t, r, vcol)->i);
		if (n <= 31 || r % (n / 24 + 1) == 0) {
			buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			    x + bw / 2, H - bottom + 14);
			html_esc(b, rep_cell_str(&t->cols[lcol], rep_cell(t, r, lcol), tmp,
			    sizeof(tmp)) + (t->cols[lcol].type == REP_TEXT && n > 8 ? 5 : 0));
			buf_puts(b, "</text>\n");
		}
	}
	buf_puts(b, "</svg>\n");
}

static void
fmt_time(int64_t ns, char *s, size_t len)
{
	rep_time_str(ns, s, len);
}

void
render_html(const struct report *rep, const struct report_opts *o, struct buf *b)
{
	/* What matters first, then when, then the details. */
	static const enum rep_section order[SEC_COUNT] = { SEC_INTEREST, SEC_HOURS,
	    SEC_DAYS, SEC_PORTS, SEC_PROCESSES, SEC_REMOTES, SEC_USERS };
	char s0[32], s1[32], names[160];
	int64_t rec = rep->recorded_ns / 1000000000;
	size_t i;
	int s, k;

	(void)o;
	buf_puts(b, page_head);
	buf_puts(b, "<h1>portscope report: ");
	for (i = 0; i < rep->nhosts; i++) {
		if (i)
			buf_puts(b, ", ");
		html_esc(b, rep->hosts[i]);
	}
	fmt_time(rep->since, s0, sizeof(s0));
	fmt_time(rep->until, s1, sizeof(s1));
	buf_printf(b, "</h1>\n<p class=\"meta\">%s to %s, times in ", s0, s1);
	html_esc(b, rep->tz);
	buf_printf(b, "; recorded %" PRId64 "h %02" PRId64 "m %02" PRId64 "s</p>\n",
	    rec / 3600, rec / 60 % 60, rec % 60);
	if (rep_names_str(rep, names, sizeof(names))) {
		buf_puts(b, "<p class=\"meta\">");
		html_esc(b, names);
		buf_puts(b, "</p>\n");
	}
	for (k = 0; k < SEC_COUNT; k++) {
		const struct rep_table *t = &rep->tables[order[k]];

		s = (int)order[k];
		if (!rep->want[s])
			continue;
		buf_printf(b, "<section id=\"%s\">\n<h2>", t->name);
		html_esc(b, t->title);
		buf_puts(b, "</h2>\n");
		/* A chart beside its table; below it when the window is narrow. */
		buf_puts(b, s == SEC_HOURS || (s == SEC_DAYS && t->nrows > 0) ?
		    "<div class=\"pair\">\n" : "");
		if (s == SEC_HOURS)
			svg_bars(t, 0, 2, "chart-hours", "hour of day",
			    "sockets opened", b);
		if (s == SEC_DAYS && t->nrows > 0)
			svg_bars(t, 0, 2, "chart-days", "day",
			    "sockets opened", b);
		html_table(rep, t, b);
		buf_puts(b, s == SEC_HOURS || (s == SEC_DAYS && t->nrows > 0) ?
		    "</div>\n" : "");
		buf_puts(b, "</section>\n");
	}
	buf_puts(b, page_script);
	buf_puts(b, "</body></html>\n");
}
