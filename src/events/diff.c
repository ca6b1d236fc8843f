/*
 * Snapshot diff: match rows by inode, then the rest by endpoints, then
 * compare the matched pairs.  Costs O(rows) with one hash table sized to
 * the rows left over after the inode pass.
 */
#include <stdlib.h>
#include <string.h>

#include "events/diff.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#define NONE	UINT32_MAX	/* no match; also OWNER_NONE, the end of an owner list */

struct event_vec {
	struct diff_event	*v;
	size_t			 n, cap;
};

static void
push(struct event_vec *ev, enum diff_kind kind, const struct sock_row *before,
    const struct sock_row *after)
{
	struct diff_event *e = VEC_PUSH(ev);

	e->kind = kind;
	e->before = before;
	e->after = after;
}

/* Same protocol, family and both endpoints. */
static int
same_ends(const struct sock_row *a, const struct sock_row *b)
{
	return a->proto == b->proto && a->family == b->family &&
	    a->lport == b->lport && a->rport == b->rport &&
	    memcmp(a->laddr, b->laddr, 16) == 0 && memcmp(a->raddr, b->raddr, 16) == 0;
}

static uint64_t
ends_hash(const struct sock_row *r)
{
	uint64_t h = 0xcbf29ce484222325ULL, w[4];
	size_t i;

	memcpy(&w[0], r->laddr, 8);
	memcpy(&w[1], r->laddr + 8, 8);
	memcpy(&w[2], r->raddr, 8);
	memcpy(&w[3], r->raddr + 8, 8);
	for (i = 0; i < 4; i++)
		h = (h ^ w[i]) * 0x100000001b3ULL;
	h = (h ^ ((uint64_t)r->lport << 32 | (uint64_t)r->rport << 16 |
	    (uint64_t)r->proto << 8 | r->family)) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/* Do the owner lists of a (in sa) and b (in sb) name different pids?  Both
 * lists are sorted by pid; a pid holding the socket twice counts once. */
static int
owners_differ(const struct snapshot *sa, const struct sock_row *a,
    const struct snapshot *sb, const struct sock_row *b)
{
	uint32_t i = a->owner, j = b->owner, pid;

	for (;;) {
		if (i == NONE || j == NONE)
			return i != j;
		if (sa->owners[i].pid != sb->owners[j].pid)
			return 1;
		pid = sa->owners[i].pid;
		while (i != NONE && sa->owners[i].pid == pid)
			i = sa->owners[i].next;
		while (j != NONE && sb->owners[j].pid == pid)
			j = sb->owners[j].next;
	}
}

void
diff_match(const struct snapshot *before, const struct snapshot *after,
    uint32_t *match)
{
	const struct sock_row *b, *a;
	uint32_t *head = NULL, *next = NULL, k;
	unsigned char *taken;
	size_t i, nleft = 0, mask = 0;

	taken = xcalloc(before->nsocks + 1, 1);

	/* 1: the same inode is the same socket. */
	for (i = 0; i < after->nsocks; i++) {
		a = &after->socks[i];
		match[i] = NONE;
		if (a->inode == 0 || (b = snapshot_find(before, a->inode)) == NULL)
			continue;
		if (b->proto != a->proto || b->family != a->family)
			continue;
		match[i] = (uint32_t)(b - before->socks);
		taken[match[i]] = 1;
	}

	/* 2: the rest by endpoints, when one side has no inode. */
	for (i = 0; i < before->nsocks; i++)
		nleft += !taken[i];
	if (nleft > 0) {
		for (mask = 16; mask < nleft * 2; mask *= 2)
			;
		head = xreallocarray(NULL, mask, sizeof(*head));
		memset(head, 0xff, mask * sizeof(*head));
		mask--;
		next = xreallocarray(NULL, before->nsocks, sizeof(*next));
		for (i = before->nsocks; i-- > 0;) {
			if (taken[i])
				continue;
			k = (uint32_t)(ends_hash(&before->socks[i]) & mask);
			next[i] = head[k];
			head[k] = (uint32_t)i;
		}
		for (i = 0; i < after->nsocks; i++) {
			if (match[i] != NONE)
				continue;
			a = &after->socks[i];
			for (k = head[ends_hash(a) & mask]; k != NONE; k = next[k]) {
				b = &before->socks[k];
				if (taken[k] || !same_ends(a, b) ||
				    (a->inode != 0 && b->inode != 0))
					continue;
				match[i] = k;
				taken[k] = 1;
				break;
			}
		}
	}
	free(next);
	free(head);
	free(taken);
}

unsigned
diff_compare(const struct snapshot *before, const struct sock_row *b,
    const struct snapshot *after, const struct sock_row *a)
{
	unsigned c = 0;

	if (a->state != b->state || a->rport != b->rport || a->lport != b->lport ||
	    memcmp(a->raddr, b->raddr, 16) != 0 || memcmp(a->laddr, b->laddr, 16) != 0)
		c |= DIFF_CHANGED_STATE;
	if (owners_differ(before, b, after, a))
		c |= DIFF_CHANGED_OWNER;
	return c;
}

void
diff_snapshots(const struct snapshot *before, const struct snapshot *after,
    struct diff *d)
{
	struct event_vec ev = { NULL, 0, 0 };
	const struct sock_row *b, *a;
	unsigned char *taken;
	uint32_t *match;
	unsigned c;
	size_t i;

	match = xreallocarray(NULL, after->nsocks + 1, sizeof(*match));
	taken = xcalloc(before->nsocks + 1, 1);
	diff_match(before, after, match);
	for (i = 0; i < after->nsocks; i++) {
		a = &after->socks[i];
		if (match[i] == NONE) {
			push(&ev, DIFF_NEW, NULL, a);
			continue;
		}
		taken[match[i]] = 1;
		b = &before->socks[match[i]];
		c = diff_compare(before, b, after, a);
		if (c & DIFF_CHANGED_STATE)
			push(&ev, DIFF_STATE, b, a);
		if (c & DIFF_CHANGED_OWNER)
			push(&ev, DIFF_OWNER, b, a);
	}
	for (i = 0; i < before->nsocks; i++)
		if (!taken[i])
			push(&ev, DIFF_GONE, &before->socks[i], NULL);

	free(taken);
	free(match);
	d->events = ev.v;
	d->nevents = ev.n;
}

void
diff_release(struct diff *d)
{
	free(d->events);
	d->events = NULL;
	d->nevents = 0;
}

const char *
diff_kind_name(enum diff_kind k)
{
	switch (k) {
	case DIFF_NEW:
		return "new";
	case DIFF_STATE:
		return "state";
	case DIFF_OWNER:
		return "owner";
	case DIFF_GONE:
		return "gone";
	}
	return "unknown";
}

int
diff_row_has_owner(const struct snapshot *s, const struct sock_row *r, uint32_t pid)
{
	uint32_t i;

	for (i = r->owner; i != NONE; i = s->owners[i].next)
		if (s->owners[i].pid == pid)
			return 1;
	return 0;
}
