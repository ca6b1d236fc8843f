/*
 * Change events as text and JSON (see event.h).
 */
#include <netinet/in.h>
#include <string.h>

#include "output/event.h"
#include "output/json.h"
#include "output/sockrow.h"
#include "output/text.h"

/* "127.0.0.1:80", "[::1]:80", or "*:*" for no remote end. */
static void
text_end(struct buf *b, const struct sock_row *r, int remote)
{
	if (remote && r->rport == 0)
		buf_puts(b, "*:*");
	else if (remote)
		sock_endpoint(b, r->family, r->raddr, r->rport);
	else
		sock_endpoint(b, r->family, r->laddr, r->lport);
}

/* "pid 1234 nc (/usr/bin/nc.openbsd)". */
static void
text_proc(struct buf *b, const struct proc_info *p)
{
	buf_printf(b, "pid %d ", (int)p->pid);
	text_sanitize(b, p->comm, strlen(p->comm), 0);
	buf_puts(b, " (");
	if (p->exe)
		text_sanitize(b, p->exe, strlen(p->exe), 0);
	else
		buf_printf(b, "exe unreadable: %s", strerror(p->exe_err));
	buf_putc(b, ')');
}

/* "no owner" for a socket no process holds; "owner unknown: not permitted"
 * (exited, not found, not scanned) when one may but could not be read. */
static void
text_no_owner(struct buf *b, const struct sock_row *r)
{
	if (r->missing == OWNER_ORPHAN)
		buf_puts(b, "no owner");
	else
		buf_printf(b, "owner unknown: %s", owner_missing_reason(r->missing));
}

/* The owners of r in s, each pid once, or why it has none.  With sign, the
 * owners of r that other (in os) does not have, each prefixed by sign;
 * returns how many were written. */
static int
text_owners(struct buf *b, const struct snapshot *s, const struct sock_row *r,
    const struct snapshot *os, const struct sock_row *other, char sign)
{
	const struct sock_owner *ow;
	uint32_t k, last = 0;
	int n = 0;

	for (k = r->owner; k != OWNER_NONE; k = ow->next) {
		ow = &s->owners[k];
		if ((n > 0 && ow->pid == last) ||
		    (other && diff_row_has_owner(os, other, ow->pid)))
			continue;
		if (n++ > 0)
			buf_puts(b, ", ");
		if (sign)
			buf_putc(b, sign);
		text_proc(b, snapshot_proc(s, ow));
		last = ow->pid;
	}
	if (n == 0 && !sign)
		text_no_owner(b, r);
	return n;
}

void
event_text(struct buf *b, const char *when, const struct diff_event *e,
    const struct snapshot *ps, const struct snapshot *cs, int initial)
{
	static const char *const labels[] = {
		[DIFF_NEW] = "NEW", [DIFF_STATE] = "STATE", [DIFF_OWNER] = "OWNER",
		[DIFF_GONE] = "GONE",
	};
	const char *label = initial ? "NOW" : labels[e->kind];
	const struct sock_row *before = e->before, *after = e->after;
	const struct sock_row *r = after ? after : before;
	struct buf col;
	int gone;

	buf_init(&col);
	buf_puts(b, when);
	buf_puts(b, "  ");
	text_col(b, label, 7);
	text_col(b, sock_proto_label(r), 5);
	text_end(&col, r, 0);
	text_col(b, buf_str(&col), 24);
	buf_reset(&col);
	text_end(&col, r, 1);
	text_col(b, buf_str(&col), 24);
	buf_reset(&col);
	if (strcmp(label, "STATE") == 0) {
		buf_printf(&col, "%s -> %s", sock_state_name(before), sock_state_name(after));
		if (before->rport != after->rport || before->lport != after->lport ||
		    memcmp(before->raddr, after->raddr, 16) != 0 ||
		    memcmp(before->laddr, after->laddr, 16) != 0) {
			buf_puts(&col, " (was ");
			text_end(&col, before, 0);
			buf_putc(&col, ' ');
			text_end(&col, before, 1);
			buf_putc(&col, ')');
		}
	} else if (strcmp(label, "GONE") == 0)
		buf_printf(&col, "was %s", sock_state_name(before));
	else
		buf_puts(&col, sock_state_name(r));
	text_col(b, buf_str(&col), 13);
	if (strcmp(label, "OWNER") == 0) {
		buf_reset(&col);
		gone = text_owners(&col, ps, before, cs, after, '-');
		if (text_owners(b, cs, after, ps, before, '+') > 0 && gone > 0)
			buf_puts(b, ", ");
		buf_add(b, col.data, col.len);
		if (after->owner == OWNER_NONE) {
			buf_puts(b, " (now ");
			text_no_owner(b, after);
			buf_putc(b, ')');
		}
	} else if (strcmp(label, "GONE") == 0) {
		if (before->owner != OWNER_NONE) {
			buf_puts(b, "was held by ");
			text_owners(b, ps, before, NULL, NULL, 0);
		}
	} else
		text_owners(b, cs, r, NULL, NULL, 0);
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->len--;	/* a gone socket without owners: no trailing blank */
	buf_putc(b, '\n');
	buf_release(&col);
}

/* "owners_added":[…] or "owners_gone":[…]: owners of r missing from other. */
static void
json_owner_delta(struct buf *b, const char *key, const struct snapshot *s,
    const struct sock_row *r, const struct snapshot *os, const struct sock_row *other)
{
	const struct sock_owner *ow;
	uint32_t k, last = 0;
	int n = 0;

	json_key(b, key);
	buf_putc(b, '[');
	for (k = r->owner; k != OWNER_NONE; k = ow->next) {
		ow = &s->owners[k];
		if ((n > 0 && ow->pid == last) || diff_row_has_owner(os, other, ow->pid))
			continue;
		json_sep(b);
		buf_u64(b, ow->pid);
		last = ow->pid;
		n++;
	}
	buf_putc(b, ']');
}

void
event_json(struct buf *b, const char *ts, const struct diff_event *e,
    const struct snapshot *sb, const struct snapshot *sa, int initial, int full)
{
	struct buf addr;

	json_kstr(b, "ts", ts);
	json_kstr(b, "event", diff_kind_name(e->kind));
	buf_putc(b, ',');
	if (e->kind == DIFF_GONE)
		sockrow_json(b, sb, e->before, full, NULL);
	else
		sockrow_json(b, sa, e->after, full, NULL);
	if (initial)
		json_kbool(b, "initial", 1);
	if (e->kind == DIFF_STATE) {
		json_kstr(b, "old_state", sock_state_name(e->before));
		buf_init(&addr);
		sock_addr(&addr, e->before->family, e->before->raddr);
		json_kstr(b, "old_remote_addr", buf_str(&addr));
		json_ku64(b, "old_remote_port", e->before->rport);
		buf_release(&addr);
	}
	if (e->kind == DIFF_OWNER) {
		json_owner_delta(b, "owners_added", sa, e->after, sb, e->before);
		json_owner_delta(b, "owners_gone", sb, e->before, sa, e->after);
	}
}

void
event_process_text(struct buf *b, const struct proc_info *p,
    const struct proc_info *mods)
{
	buf_printf(b, "    Process ID: %d (", (int)p->pid);
	text_sanitize(b, p->comm, strlen(p->comm), 0);
	buf_puts(b, ")\n");
	proc_text_details(b, p, "      ");
	proc_text_modules(b, mods, "      ");
}

void
event_process_json(struct buf *b, const struct proc_info *p,
    const struct proc_info *mods)
{
	size_t i;

	buf_putc(b, '{');
	proc_json(b, p, 1);
	json_key(b, "modules");
	buf_putc(b, '[');
	for (i = 0; i < mods->nmodules; i++) {
		json_sep(b);
		buf_printf(b, "{\"base\":\"0x%llx\"", (unsigned long long)mods->modules[i].base);
		json_kstr(b, "path", mods->modules[i].path);
		buf_putc(b, '}');
	}
	buf_add(b, "]}", 2);
}
