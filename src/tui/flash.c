#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/flash.h"
#include "util/vec.h"

void
flash_init(struct tui_flash *fl, size_t max)
{
	memset(fl, 0, sizeof(*fl));
	fl->max = max;
}

void
flash_release(struct tui_flash *fl)
{
	int i;

	VEC_FREE(&fl->cand);
	for (i = 0; i < 2; i++)
		if (fl->have[i])
			u64map_release(&fl->seen[i]);
	memset(fl, 0, sizeof(*fl));
}

uint64_t
flash_cookie(const struct sock_row *r)
{
	return (uint64_t)r->cookie[1] << 32 | r->cookie[0];
}

static int
seen(const struct tui_flash *fl, uint64_t cookie)
{
	int i;

	for (i = 0; i < 2; i++)
		if (fl->have[i] && u64map_get(&fl->seen[i], cookie) != U64MAP_MISSING)
			return 1;
	return 0;
}

void
flash_closed(struct tui_flash *fl, const struct sock_row *r, uint32_t pid,
    const char *comm, uint64_t close_ns)
{
	struct flash_cand *c;
	uint64_t cookie = flash_cookie(r);

	if (cookie == 0 || seen(fl, cookie))
		return;
	if (fl->cand.n >= fl->max) {
		fl->dropped++;
		return;
	}
	c = VEC_PUSH(&fl->cand);
	c->r = *r;
	c->pid = pid;
	if (comm)
		snprintf(c->comm, sizeof(c->comm), "%s", comm);
	c->close_ns = close_ns;
}

void
flash_snapshot(struct tui_flash *fl, const struct snapshot *s, uint64_t start_ns,
    struct tui_model *m, uint64_t now_ns)
{
	struct flash_cand *c;
	uint64_t cookie;
	size_t i, n = 0;

	if (fl->have[1])
		u64map_release(&fl->seen[1]);
	fl->seen[1] = fl->seen[0];
	fl->have[1] = fl->have[0];
	u64map_init(&fl->seen[0], s->nsocks);
	fl->have[0] = 1;
	for (i = 0; i < s->nsocks; i++)
		if ((cookie = flash_cookie(&s->socks[i])) != 0)
			u64map_put(&fl->seen[0], cookie, 1);

	for (i = 0; i < fl->cand.n; i++) {
		c = &fl->cand.v[i];
		if (u64map_get(&fl->seen[0], flash_cookie(&c->r)) != U64MAP_MISSING)
			continue;		/* on screen already: new, then closed */
		if (c->close_ns < start_ns) {	/* no later snapshot can hold it */
			tui_model_flash(m, &c->r, c->pid, c->comm, now_ns);
			continue;
		}
		fl->cand.v[n++] = *c;		/* closed during this dump: next time */
	}
	fl->cand.n = n;
}
