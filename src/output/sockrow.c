#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/json.h"
#include "output/sockrow.h"
#include "output/text.h"
#include "util/xmalloc.h"

/* The members of process p after its pid. */
static void
proc_members(struct buf *b, const struct proc_info *p, int full)
{
	json_kstr(b, "comm", p->comm);
	json_kstr(b, "exe", p->exe);
	if (!full)
		return;
	json_kstr(b, "user", p->user);
	json_kstr(b, "cmdline", p->cmdline);
	json_ki64(b, "start_time", p->start_time);
	json_kstr(b, "unit", p->unit);
	json_kstr(b, "container", p->container);
}

void
proc_json(struct buf *b, const struct proc_info *p, int full)
{
	json_ku64(b, "pid", (uint64_t)p->pid);
	proc_members(b, p, full);
}

void
sockrow_cache_init(struct sockrow_cache *c, const struct snapshot *s, int full)
{
	c->s = s;
	c->full = full;
	c->frag = xcalloc(s->scan.nprocs + 1, sizeof(*c->frag));
}

void
sockrow_cache_release(struct sockrow_cache *c)
{
	size_t i;

	for (i = 0; c->frag && i < c->s->scan.nprocs; i++)
		free(c->frag[i]);
	free(c->frag);
	memset(c, 0, sizeof(*c));
}

/* The members of owner o's process: from the cache, made once per
 * process, or written out without one. */
static void
proc_fragment(struct buf *b, const struct snapshot *s, const struct sock_owner *o,
    int full, struct sockrow_cache *c)
{
	struct buf f;

	if (c == NULL || c->s != s) {
		proc_members(b, snapshot_proc(s, o), full);
		return;
	}
	if (c->frag[o->proc] == NULL) {
		buf_init(&f);
		proc_members(&f, snapshot_proc(s, o), c->full);
		c->frag[o->proc] = buf_detach(&f);
	}
	buf_puts(b, c->frag[o->proc]);
}

void
sockrow_json(struct buf *b, const struct snapshot *s, const struct sock_row *r,
    int full, struct sockrow_cache *cache)
{
	const struct sock_owner *o;
	uint32_t i;

	buf_add(b, "\"proto\":\"", 9);
	buf_puts(b, sock_proto_name(r));
	buf_add(b, "\",\"family\":", 11);
	buf_putc(b, r->family == AF_INET6 ? '6' : '4');
	buf_add(b, ",\"local_addr\":\"", 15);
	sock_addr(b, r->family, r->laddr);
	buf_add(b, "\",\"local_port\":", 15);
	buf_u64(b, r->lport);
	buf_add(b, ",\"remote_addr\":\"", 16);
	sock_addr(b, r->family, r->raddr);
	buf_add(b, "\",\"remote_port\":", 16);
	buf_u64(b, r->rport);
	buf_add(b, ",\"state\":\"", 10);
	buf_puts(b, sock_state_name(r));
	buf_add(b, "\",\"recv_q\":", 11);
	buf_u64(b, r->rqueue);
	buf_add(b, ",\"send_q\":", 10);
	buf_u64(b, r->wqueue);
	buf_add(b, ",\"inode\":", 9);
	buf_u64(b, r->inode);
	buf_add(b, ",\"uid\":", 7);
	buf_u64(b, r->uid);
	buf_add(b, ",\"owners\":[", 11);
	for (i = r->owner; i != OWNER_NONE; i = o->next) {
		o = &s->owners[i];
		if (i != r->owner)
			buf_putc(b, ',');
		buf_add(b, "{\"pid\":", 7);
		buf_u64(b, o->pid);
		buf_add(b, ",\"fd\":", 6);
		if (o->fd < 0)		/* known from an event, not a descriptor */
			buf_puts(b, "null");
		else
			buf_u64(b, (uint64_t)o->fd);
		buf_putc(b, ',');
		proc_fragment(b, s, o, full, cache);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	if (r->owner == OWNER_NONE)
		json_kstr(b, "owner_missing", owner_missing_reason(r->missing));
}

void
sockrow_csv_header(struct buf *b)
{
	buf_puts(b, "proto,process,pid,state,local_address,local_port,"
	    "remote_address,remote_port,inode,uid,owner_missing\n");
}

void
sockrow_csv(struct buf *b, const struct snapshot *s, const struct sock_row *r)
{
	const struct sock_owner *o;
	struct buf names, pids;
	uint32_t i;

	buf_init(&names);
	buf_init(&pids);
	for (i = r->owner; i != OWNER_NONE; i = o->next) {
		o = &s->owners[i];
		if (i != r->owner) {
			buf_putc(&names, ';');
			buf_putc(&pids, ';');
		}
		/* a ';' in a name is \x3b: the list splits one way only */
		csv_text(&names, snapshot_proc(s, o)->comm, ";");
		buf_u64(&pids, o->pid);
	}
	buf_puts(b, sock_proto_label(r));
	buf_putc(b, ',');
	csv_field(b, buf_str(&names));
	buf_putc(b, ',');
	csv_field(b, buf_str(&pids));
	buf_putc(b, ',');
	buf_puts(b, sock_state_name(r));
	buf_putc(b, ',');
	sock_addr(b, r->family, r->laddr);
	buf_putc(b, ',');
	buf_u64(b, r->lport);
	buf_putc(b, ',');
	sock_addr(b, r->family, r->raddr);
	buf_putc(b, ',');
	buf_u64(b, r->rport);
	buf_putc(b, ',');
	buf_u64(b, r->inode);
	buf_putc(b, ',');
	buf_u64(b, r->uid);
	buf_putc(b, ',');
	if (r->owner == OWNER_NONE)
		buf_puts(b, owner_missing_reason(r->missing));
	buf_putc(b, '\n');
	buf_release(&names);
	buf_release(&pids);
}

/* Append "indent label" then s sanitised, or instead when s is NULL. */
static void
text_field(struct buf *b, const char *indent, const char *label, const char *s,
    const char *instead)
{
	buf_puts(b, indent);
	buf_puts(b, label);
	if (s)
		text_sanitize(b, s, strlen(s), 0);
	else
		buf_puts(b, instead);
	buf_putc(b, '\n');
}

void
proc_text_details(struct buf *b, const struct proc_info *p, const char *indent)
{
	char when[64], unreadable[128];
	struct tm tm;
	time_t t;

	snprintf(unreadable, sizeof(unreadable), "(unreadable: %s)", strerror(p->exe_err));
	text_field(b, indent, "Executable:   ", p->exe, unreadable);
	text_field(b, indent, "Command line: ", p->cmdline, "(none)");
	text_field(b, indent, "User:         ", p->user, "(unknown)");
	if (p->start_time > 0) {
		t = (time_t)p->start_time;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
		text_field(b, indent, "Started:      ", when, NULL);
	}
	if (p->unit)
		text_field(b, indent, "Unit:         ", p->unit, NULL);
	if (p->container)
		text_field(b, indent, "Container:    ", p->container, NULL);
}

void
proc_text_modules(struct buf *b, const struct proc_info *p, const char *indent)
{
	size_t i;

	if (p->nmodules == 0)
		return;
	buf_puts(b, indent);
	buf_puts(b, "Module Information:\n");
	for (i = 0; i < p->nmodules; i++) {
		buf_puts(b, indent);
		buf_printf(b, "  0x%016llx  ", (unsigned long long)p->modules[i].base);
		text_sanitize(b, p->modules[i].path, strlen(p->modules[i].path), 0);
		buf_putc(b, '\n');
	}
}
