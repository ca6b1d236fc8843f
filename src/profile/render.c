/*
 * The profile as text and as JSON (see render.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "output/json.h"
#include "profile/render.h"
#include "util/xmalloc.h"

const char *
prof_module_name(const char *path)
{
	const char *b;

	if (path == NULL)
		return "?";
	b = strrchr(path, '/');
	return b ? b + 1 : path;
}

void
prof_func_label(const struct prof_func *f, char *out, size_t outlen)
{
	if (f->module == NULL)
		snprintf(out, outlen, "(%s)", f->why ? f->why : "unknown");
	else if (f->func)
		snprintf(out, outlen, "%s!%s", prof_module_name(f->module), f->func);
	else if (f->near)
		snprintf(out, outlen, "%s+0x%llx (after %s+0x%llx)", prof_module_name(f->module),
		    (unsigned long long)f->addr, f->near, (unsigned long long)f->near_off);
	else
		snprintf(out, outlen, "%s+0x%llx", prof_module_name(f->module),
		    (unsigned long long)f->addr);
}

void
prof_addr_str(const struct prof_addr *a, char *out, size_t outlen)
{
	if (inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->addr, out,
	    (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "?");
}

static void
port_spec(const struct prof_port *r, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%u", r->proto == IPPROTO_TCP ? "tcp" : "udp", r->port);
}

static void
secs(struct buf *b, uint64_t ns)
{
	buf_printf(b, "+%llu.%03llus", (unsigned long long)(ns / 1000000000ULL),
	    (unsigned long long)(ns / 1000000ULL % 1000));
}

/* ---- text ---- */

static void
text_summary(struct buf *b, const struct profile *p, const struct prof_run *run)
{
	size_t i, j, nany = 0, nlisten = 0;
	char a[64], spec[16];
	uint64_t pct;

	buf_puts(b, "Summary\n");
	if (p->ports.n == 0)
		buf_puts(b, "  network used:       no (no TCP or UDP port bound, listened "
		    "on, connected to or sent to)\n");
	else
		buf_printf(b, "  network used:       yes (%zu port%s and direction%s)\n",
		    p->ports.n, p->ports.n == 1 ? "" : "s", p->ports.n == 1 ? "" : "s");
	buf_printf(b, "  reach:              %s\n", prof_scope_name(profile_scope(p)));
	for (i = 0; i < p->ports.n; i++) {
		const struct prof_port *r = &p->ports.v[i];

		if (r->dir != PD_LISTEN && r->dir != PD_BIND)
			continue;
		nlisten++;
		for (j = 0; j < r->locals.n; j++)
			if (prof_addr_any(&r->locals.v[j])) {
				port_spec(r, spec, sizeof(spec));
				prof_addr_str(&r->locals.v[j], a, sizeof(a));
				buf_printf(b, "%s%s on %s", nany++ ? ", " : "  listens on all "
				    "addresses: yes: ", spec, a);
			}
	}
	if (nany)
		buf_putc(b, '\n');
	else
		buf_printf(b, "  listens on all addresses: no%s\n",
		    nlisten ? " (bound to specific addresses only)" : " (no listening port)");
	pct = p->counts.uses ? p->counts.attributed * 100 / p->counts.uses : 0;
	buf_printf(b, "  functions known:    %llu of %llu uses (%llu%%)\n",
	    (unsigned long long)p->counts.attributed, (unsigned long long)p->counts.uses,
	    (unsigned long long)pct);
	if (p->counts.events_lost || run->snapshots_lost)
		buf_printf(b, "  lost:               %llu events, %llu stack snapshots "
		    "(ring buffer full)\n", (unsigned long long)p->counts.events_lost,
		    (unsigned long long)run->snapshots_lost);
}

static void
text_ports(struct buf *b, const struct profile *p)
{
	char spec[16], a[64], fl[512];
	size_t i, j;

	buf_puts(b, "\nPorts\n");
	if (p->ports.n == 0) {
		buf_puts(b, "  (none)\n");
		return;
	}
	buf_printf(b, "  %-11s %-14s %6s %-9s %-9s %-24s %-22s %s\n", "PORT", "DIRECTION",
	    "COUNT", "FIRST", "LAST", "PEERS", "PROCESSES", "FUNCTIONS");
	for (i = 0; i < p->ports.n; i++) {
		const struct prof_port *r = &p->ports.v[i];
		struct buf col;
		size_t len0;

		port_spec(r, spec, sizeof(spec));
		buf_printf(b, "  %-11s %-14s %6llu ", spec, prof_dir_label(r->dir),
		    (unsigned long long)r->count);
		len0 = b->len;
		secs(b, r->first_ns);
		buf_pad(b, 10 - (b->len - len0), ' ');
		len0 = b->len;
		secs(b, r->last_ns);
		buf_pad(b, 10 - (b->len - len0), ' ');
		buf_init(&col);
		if (r->dir == PD_LISTEN || r->dir == PD_BIND) {
			for (j = 0; j < r->locals.n; j++) {
				prof_addr_str(&r->locals.v[j], a, sizeof(a));
				buf_printf(&col, "%s%s", j ? "," : "on ", a);
			}
		} else {
			for (j = 0; j < r->peers.n && j < 3; j++) {
				prof_addr_str(&r->peers.v[j], a, sizeof(a));
				buf_printf(&col, "%s%s", j ? "," : "", a);
			}
			if (r->peers.n + r->npeers_more > 3)
				buf_printf(&col, " +%zu", r->peers.n + r->npeers_more - 3);
		}
		buf_printf(b, "%-24s ", buf_str(&col));
		buf_reset(&col);
		for (j = 0; j < r->procs.n && j < 2; j++)
			buf_printf(&col, "%s%s[%u]", j ? "," : "", r->procs.v[j].comm,
			    r->procs.v[j].pid);
		if (r->procs.n + r->nprocs_more > 2)
			buf_printf(&col, " +%zu", r->procs.n + r->nprocs_more - 2);
		buf_printf(b, "%-22s ", buf_str(&col));
		buf_release(&col);
		for (j = 0; j < r->funcs.n; j++) {
			prof_func_label(&r->funcs.v[j], fl, sizeof(fl));
			buf_printf(b, "%s%s (%llu)", j ? ", " : "", fl,
			    (unsigned long long)r->funcs.v[j].count);
		}
		if (r->failed)
			buf_printf(b, "; %llu failed", (unsigned long long)r->failed);
		buf_putc(b, '\n');
	}
}

static void
text_expect(struct buf *b, const struct profile *p, const struct prof_run *run)
{
	const struct prof_expect *x = run->expect;
	char spec[16];
	size_t i, n;

	if (x == NULL)
		return;
	buf_printf(b, "\nAgainst the documentation (%s)\n", run->expect_path);
	buf_puts(b, "  used, not documented:\n");
	for (i = n = 0; i < p->ports.n; i++)
		if (!prof_expect_documented(x, &p->ports.v[i])) {
			port_spec(&p->ports.v[i], spec, sizeof(spec));
			buf_printf(b, "    %s %s\n", spec, prof_dir_word(p->ports.v[i].dir));
			n++;
		}
	if (n == 0)
		buf_puts(b, "    (none)\n");
	buf_puts(b, "  documented, never used:\n");
	for (i = n = 0; i < x->n; i++)
		if (!x->v[i].used) {
			buf_printf(b, "    %s/%u %s (line %d)\n", x->v[i].proto == IPPROTO_TCP ?
			    "tcp" : "udp", x->v[i].port, prof_dir_word(x->v[i].dir),
			    x->v[i].lineno);
			n++;
		}
	if (n == 0)
		buf_puts(b, "    (none)\n");
	buf_puts(b, "  documented and used:\n");
	for (i = n = 0; i < x->n; i++)
		if (x->v[i].used) {
			buf_printf(b, "    %s/%u %s\n", x->v[i].proto == IPPROTO_TCP ?
			    "tcp" : "udp", x->v[i].port, prof_dir_word(x->v[i].dir));
			n++;
		}
	if (n == 0)
		buf_puts(b, "    (none)\n");
}

/* Rows in order of first use: an array the caller frees. */
static size_t *
timeline_order(const struct profile *p)
{
	size_t i, j, t, *idx = xreallocarray(NULL, p->ports.n + 1, sizeof(*idx));

	for (i = 0; i < p->ports.n; i++)
		idx[i] = i;
	for (i = 1; i < p->ports.n; i++)	/* insertion sort: few rows */
		for (j = i; j > 0 && p->ports.v[idx[j - 1]].first_ns >
		    p->ports.v[idx[j]].first_ns; j--) {
			t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return idx;
}

static void
text_timeline(struct buf *b, const struct profile *p)
{
	size_t i, *idx;
	char spec[16], fl[512];

	if (p->ports.n == 0)
		return;
	buf_puts(b, "\nTimeline (first use, from the start)\n");
	idx = timeline_order(p);
	for (i = 0; i < p->ports.n; i++) {
		const struct prof_port *r = &p->ports.v[idx[i]];
		size_t len0 = b->len;

		buf_puts(b, "  ");
		secs(b, r->first_ns);
		buf_pad(b, 12 - (b->len - len0), ' ');
		port_spec(r, spec, sizeof(spec));
		fl[0] = '\0';
		if (r->funcs.n)
			prof_func_label(&r->funcs.v[0], fl, sizeof(fl));
		buf_printf(b, "%-11s %-14s %s\n", spec, prof_dir_label(r->dir), fl);
	}
	free(idx);
}

void
prof_render_text(struct buf *b, const struct profile *p, const struct prof_run *run)
{
	int i;

	buf_puts(b, "portscope profile: ");
	if (run->argv)
		for (i = 0; run->argv[i]; i++)
			buf_printf(b, "%s%s", i ? " " : "", run->argv[i]);
	else
		buf_puts(b, run->target);
	if (run->exit_status >= 0)
		buf_printf(b, " (exit status %d, ", run->exit_status);
	else
		buf_puts(b, " (");
	buf_printf(b, "%.2f s)\n\n", (double)run->duration_ns / 1e9);
	text_summary(b, p, run);
	text_ports(b, p);
	text_expect(b, p, run);
	text_timeline(b, p);
}

/* ---- JSON ---- */

static void
json_addrs(struct buf *b, const char *key, const struct prof_addr *v, size_t n)
{
	char a[64];
	size_t i;

	json_key(b, key);
	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		json_sep(b);
		prof_addr_str(&v[i], a, sizeof(a));
		json_str(b, a);
	}
	buf_putc(b, ']');
}

/* The nearest symbol (no symbol of its own) and the source line, where known. */
static void
json_where(struct buf *b, const char *near, uint64_t near_off, const char *file, int line)
{
	if (near) {
		json_kstr(b, "near", near);
		json_ku64(b, "near_offset", near_off);
	}
	if (file) {
		json_kstr(b, "file", file);
		json_ki64(b, "line", line);
	}
}

static void
json_func(struct buf *b, const struct prof_func *f)
{
	char fl[512];

	buf_putc(b, '{');
	prof_func_label(f, fl, sizeof(fl));
	json_kstr(b, "label", fl);
	json_kstr(b, "module", f->module);
	json_kstr(b, "function", f->func);
	if (f->module && f->func == NULL)
		json_ku64(b, "address", f->addr);
	json_where(b, f->near, f->near_off, f->file, f->line);
	if (f->module == NULL)
		json_kstr(b, "unattributed", f->why);
	json_ku64(b, "count", f->count);
	buf_putc(b, '}');
}

static void
json_frame(struct buf *b, const struct unwind_frame *f, int attributed)
{
	buf_putc(b, '{');
	json_ku64(b, "pc", f->pc);
	json_kstr(b, "module", f->module);
	json_kstr(b, "function", f->func);
	if (f->func)
		json_ku64(b, "offset", f->func_off);
	if (f->module)
		json_ku64(b, "address", f->elf_addr);
	json_where(b, f->near, f->near_off, f->file, f->line);
	json_kstr(b, "kind", f->kind == UNWIND_LIBC ? "libc" :
	    f->kind == UNWIND_RUNTIME ? "runtime" : "application");
	if (attributed)
		json_kbool(b, "attributed", 1);
	buf_putc(b, '}');
}

static void
json_port(struct buf *b, const struct prof_port *r)
{
	size_t i, j;

	buf_putc(b, '{');
	json_kstr(b, "proto", r->proto == IPPROTO_TCP ? "tcp" : "udp");
	json_ku64(b, "port", r->port);
	json_kstr(b, "direction", prof_dir_word(r->dir));
	json_ku64(b, "count", r->count);
	if (r->failed)
		json_ku64(b, "failed", r->failed);
	json_ku64(b, "first_ns", r->first_ns);
	json_ku64(b, "last_ns", r->last_ns);
	if (r->existing)
		json_kbool(b, "existing", 1);
	if (r->dir == PD_LISTEN || r->dir == PD_BIND)
		json_addrs(b, "addresses", r->locals.v, r->locals.n);
	else {
		json_addrs(b, "peers", r->peers.v, r->peers.n);
		if (r->npeers_more)
			json_ku64(b, "peers_not_listed", r->npeers_more);
	}
	json_key(b, "processes");
	buf_putc(b, '[');
	for (i = 0; i < r->procs.n; i++) {
		json_sep(b);
		buf_putc(b, '{');
		json_ku64(b, "pid", r->procs.v[i].pid);
		json_kstr(b, "comm", r->procs.v[i].comm);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	json_key(b, "functions");
	buf_putc(b, '[');
	for (i = 0; i < r->funcs.n; i++) {
		json_sep(b);
		json_func(b, &r->funcs.v[i]);
	}
	buf_putc(b, ']');
	json_key(b, "stacks");
	buf_putc(b, '[');
	for (i = 0; i < r->stacks.n; i++) {
		const struct prof_stack *st = &r->stacks.v[i];

		json_sep(b);
		buf_putc(b, '{');
		json_ku64(b, "count", st->count);
		json_key(b, "frames");
		buf_putc(b, '[');
		for (j = 0; j < st->nframes; j++) {
			json_sep(b);
			json_frame(b, &st->frames[j], j == st->attributed);
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}");
}

void
prof_render_json(struct buf *b, const struct profile *p, const struct prof_run *run)
{
	const struct prof_expect *x = run->expect;
	size_t i, *idx;
	char a[64];
	int k;

	buf_putc(b, '{');
	if (run->argv) {
		json_key(b, "command");
		buf_putc(b, '[');
		for (k = 0; run->argv[k]; k++) {
			json_sep(b);
			json_str(b, run->argv[k]);
		}
		buf_putc(b, ']');
		json_ki64(b, "exit_status", run->exit_status);
	} else
		json_kstr(b, "attached", run->target);
	json_ku64(b, "duration_ns", run->duration_ns);
	json_key(b, "summary");
	buf_putc(b, '{');
	json_kbool(b, "network_used", p->ports.n > 0);
	json_kstr(b, "reach", profile_scope(p) == PS_NONE ? "none" :
	    profile_scope(p) == PS_LOOPBACK ? "loopback" :
	    profile_scope(p) == PS_LOCAL ? "local" : "beyond");
	json_key(b, "listens_on_all_addresses");
	buf_putc(b, '[');
	for (i = 0; i < p->ports.n; i++) {
		const struct prof_port *r = &p->ports.v[i];
		size_t j;

		if (r->dir != PD_LISTEN && r->dir != PD_BIND)
			continue;
		for (j = 0; j < r->locals.n; j++)
			if (prof_addr_any(&r->locals.v[j])) {
				json_sep(b);
				prof_addr_str(&r->locals.v[j], a, sizeof(a));
				buf_printf(b, "\"%s/%u on %s\"", r->proto == IPPROTO_TCP ?
				    "tcp" : "udp", r->port, a);
			}
	}
	buf_putc(b, ']');
	json_ku64(b, "uses", p->counts.uses);
	json_ku64(b, "attributed", p->counts.attributed);
	json_ku64(b, "events_lost", p->counts.events_lost);
	json_ku64(b, "snapshots_lost", run->snapshots_lost);
	json_ku64(b, "stacks_walked", run->stacks_walked);
	json_ku64(b, "stacks_recognised", run->stacks_recognised);
	buf_putc(b, '}');
	json_key(b, "ports");
	buf_putc(b, '[');
	for (i = 0; i < p->ports.n; i++) {
		json_sep(b);
		json_port(b, &p->ports.v[i]);
	}
	buf_putc(b, ']');
	if (x) {
		json_key(b, "expect");
		buf_putc(b, '{');
		json_kstr(b, "file", run->expect_path);
		json_key(b, "undocumented");
		buf_putc(b, '[');
		for (i = 0; i < p->ports.n; i++)
			if (!prof_expect_documented(x, &p->ports.v[i])) {
				json_sep(b);
				buf_printf(b, "\"%s/%u %s\"", p->ports.v[i].proto == IPPROTO_TCP ?
				    "tcp" : "udp", p->ports.v[i].port,
				    prof_dir_word(p->ports.v[i].dir));
			}
		buf_putc(b, ']');
		for (k = 0; k < 2; k++) {
			json_key(b, k ? "matches" : "unused");
			buf_putc(b, '[');
			for (i = 0; i < x->n; i++)
				if (x->v[i].used == k) {
					json_sep(b);
					buf_printf(b, "\"%s/%u %s\"", x->v[i].proto ==
					    IPPROTO_TCP ? "tcp" : "udp", x->v[i].port,
					    prof_dir_word(x->v[i].dir));
				}
			buf_putc(b, ']');
		}
		buf_putc(b, '}');
	}
	json_key(b, "timeline");
	buf_putc(b, '[');
	idx = timeline_order(p);
	for (i = 0; i < p->ports.n; i++) {
		const struct prof_port *r = &p->ports.v[idx[i]];
		char fl[512] = "";

		json_sep(b);
		buf_putc(b, '{');
		json_ku64(b, "t_ns", r->first_ns);
		json_kstr(b, "proto", r->proto == IPPROTO_TCP ? "tcp" : "udp");
		json_ku64(b, "port", r->port);
		json_kstr(b, "direction", prof_dir_word(r->dir));
		if (r->funcs.n)
			prof_func_label(&r->funcs.v[0], fl, sizeof(fl));
		json_kstr(b, "function", fl);
		buf_putc(b, '}');
	}
	buf_puts(b, "]}\n");
	free(idx);
}
