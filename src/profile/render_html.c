/*
 * The profile as one self-contained HTML page: the JSON of
 * prof_render_json() in a data block and a small script that lays it out
 * (summary, ports, documentation check, timeline, stacks).  Nothing is
 * fetched from elsewhere; the page works from a file.
 */
#include <string.h>

#include "profile/render.h"

static const char html_head[] =
"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
"<title>portscope profile</title>\n<style>\n"
"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}\n"
"table{border-collapse:collapse}td,th{padding:.25em .7em;text-align:left;vertical-align:top;"
"border-bottom:1px solid #eee}th{background:#f3f3f3}\n"
"code,.mono{font-family:ui-monospace,monospace;font-size:.92em}\n"
".bad{color:#a00}.good{color:#070}.muted{color:#777}\n"
".bar{background:#4a7bd0;height:.8em;display:inline-block;vertical-align:middle}\n"
"details{margin:.3em 0}summary{cursor:pointer}\n"
"</style></head><body>\n<h1>portscope profile</h1>\n<div id=\"app\">"
"<p>This page needs JavaScript to lay out its data.</p></div>\n"
"<script type=\"application/json\" id=\"profile-data\">";

static const char html_tail[] =
"</script>\n<script>\n"
"(function(){\n"
"var d=JSON.parse(document.getElementById('profile-data').textContent);\n"
"var app=document.getElementById('app');app.textContent='';\n"
"function el(t,a,c){var e=document.createElement(t);if(a)for(var k in a)e.setAttribute(k,a[k]);"
"(c||[]).forEach(function(x){e.appendChild(typeof x==='string'?document.createTextNode(x):x);});return e;}\n"
"function h2(s){app.appendChild(el('h2',null,[s]));}\n"
"function secs(ns){return '+'+(ns/1e9).toFixed(3)+' s';}\n"
"function spec(r){return r.proto+'/'+r.port;}\n"
"var label={listen:'listen',bind:'bind',connect:'connect to',send:'UDP to',accept:'accepted from'};\n"
"function table(head,rows,id){var t=el('table',id?{id:id}:null,[el('tr',null,head.map(function(h){return el('th',null,[h]);}))]);"
"rows.forEach(function(r){t.appendChild(el('tr',null,r.map(function(c){return el('td',null,[c]);})));});return t;}\n"
"var what=d.command?d.command.join(' '):d.attached;\n"
"app.appendChild(el('p',null,[el('code',null,[what]),"
"d.command?' \\u2014 exit status '+d.exit_status:'',' \\u2014 '+(d.duration_ns/1e9).toFixed(2)+' s']));\n"
"h2('Summary');var s=d.summary;\n"
"app.appendChild(table(['question','answer'],[\n"
" ['network used',s.network_used?'yes ('+d.ports.length+' ports and directions)':'no'],\n"
" ['reach',{none:'no remote end',loopback:'loopback only',local:'local network',beyond:'beyond the local network'}[s.reach]],\n"
" ['listens on all addresses',s.listens_on_all_addresses.length?'yes: '+s.listens_on_all_addresses.join(', '):'no'],\n"
" ['functions known',s.attributed+' of '+s.uses+' uses'],\n"
" ['lost',s.events_lost+' events, '+s.snapshots_lost+' stack snapshots']],'summary'));\n"
"h2('Ports');\n"
"app.appendChild(table(['port','direction','count','first','last','peers / addresses','processes','functions'],\n"
" d.ports.map(function(r){var f=el('div');r.functions.forEach(function(x){f.appendChild(el('div',{'class':'mono'},"
"[x.label+' ('+x.count+')'+(x.file?' '+x.file.split('/').pop()+':'+x.line:'')]));});\n"
"  return [spec(r),label[r.direction],String(r.count)+(r.failed?' ('+r.failed+' failed)':''),secs(r.first_ns),secs(r.last_ns),"
"(r.addresses||r.peers||[]).join(', '),r.processes.map(function(p){return p.comm+'['+p.pid+']';}).join(', '),f];}),'ports'));\n"
"if(d.expect){h2('Against the documentation');var x=d.expect;\n"
" function li(a,c){return a.length?a.join(', '):'(none)';}\n"
" app.appendChild(table(['','ports'],[['used, not documented',li(x.undocumented)],['documented, never used',li(x.unused)],"
"['documented and used',li(x.matches)]],'expect'));}\n"
"h2('Timeline');var max=1;d.timeline.forEach(function(t){if(t.t_ns>max)max=t.t_ns;});\n"
"app.appendChild(table(['first use','port','direction','function',''],d.timeline.map(function(t){\n"
" return [secs(t.t_ns),t.proto+'/'+t.port,label[t.direction],t.function,el('span',{'class':'bar',style:'width:'+Math.max(2,Math.round(300*t.t_ns/max))+'px'})];}),'timeline'));\n"
"h2('Stacks');d.ports.forEach(function(r){r.stacks.forEach(function(st){\n"
" var det=el('details',null,[el('summary',null,[spec(r)+' '+label[r.direction]+' \\u2014 '+st.count+' time(s)'])]);\n"
" det.appendChild(table(['#','module','function','source'],st.frames.map(function(f,i){\n"
"  return [String(i),(f.module||'?').split('/').pop(),(f.function||('0x'+(f.address||f.pc).toString(16)))+(f.attributed?'  \\u2190 attributed':''),"
"f.file?f.file+':'+f.line:''];})));app.appendChild(det);});});\n"
"})();\n</script>\n</body></html>\n";

void
prof_render_html(struct buf *b, const struct profile *p, const struct prof_run *run)
{
	struct buf j;
	const char *s;
	size_t i;

	buf_puts(b, html_head);
	buf_init(&j);
	prof_render_json(&j, p, run);
	/* inside <script>, "</" would end the block: JSON allows "<\/" */
	s = buf_str(&j);
	for (i = 0; i < j.len; i++) {
		if (s[i] == '<' && s[i + 1] == '/')
			buf_puts(b, "<\\");
		else
			buf_putc(b, s[i]);
	}
	buf_release(&j);
	buf_puts(b, html_tail);
}
