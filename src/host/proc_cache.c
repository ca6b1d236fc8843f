#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/proc_cache.h"
#include "util/vec.h"
#include "util/xmalloc.h"

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void
entry_free(struct proc_entry *e)
{
	proc_info_release(&e->info);
	free(e);
}

/* Read pid afresh into a new entry. */
static struct proc_entry *
entry_read(struct proc_cache *c, pid_t pid, const char *comm, uint32_t uid, uint64_t now)
{
	struct proc_entry *e = xcalloc(1, sizeof(*e));

	c->reads++;
	if (proc_read_pid(pid, 0, PROC_BASIC | PROC_FULL | PROC_MODULES, &e->info) == -1) {
		/* gone: keep what the event said */
		e->info.pid = pid;
		e->info.exited = 1;
		e->info.uid = uid;
		if (comm)
			snprintf(e->info.comm, sizeof(e->info.comm), "%.16s", comm);
	}
	e->checked_ns = e->used_ns = now;
	return e;
}

struct proc_entry *
proc_cache_get(struct proc_cache *c, pid_t pid, const char *comm, uint32_t uid,
    uint64_t now, int *fresh)
{
	struct proc_entry *e = hmap_get(&c->by_pid, (uint64_t)pid + 1), *n;
	struct proc_info now_info;
	int changed;

	*fresh = 0;
	if (e != NULL) {
		e->used_ns = now;
		/* a thread's comm may differ from its process's: a differing
		 * comm asks for a check at most every 100 ms */
		if (now - e->checked_ns < PROC_CACHE_RECHECK_NS &&
		    (comm == NULL || strncmp(comm, e->info.comm, 15) == 0 ||
		    now - e->checked_ns < 100000000ULL))
			return e;
		/* check: the same process still, or another behind the pid? */
		c->checks++;
		e->checked_ns = now;
		if (!e->info.exited && proc_read_pid(pid, e->info.start_ticks,
		    PROC_BASIC | PROC_FULL, &now_info) == 0) {
			changed = !same_str(now_info.exe, e->info.exe);	/* exec */
			proc_info_release(&now_info);
			if (!changed)
				return e;
		}
		/* exec'd, or gone: is another process behind the pid now? */
	}
	n = entry_read(c, pid, comm, uid, now);
	if (e != NULL && n->info.exited && !e->info.exited) {
		entry_free(n);	/* gone: the event is its last word */
		return e;
	}
	if (e != NULL)
		entry_free(e);
	hmap_put(&c->by_pid, (uint64_t)pid + 1, n);
	*fresh = 1;
	return n;
}

void
proc_entry_drop_modules(struct proc_entry *e)
{
	size_t i;

	for (i = 0; i < e->info.nmodules; i++)
		free(e->info.modules[i].path);
	free(e->info.modules);
	e->info.modules = NULL;
	e->info.nmodules = 0;
}

struct sweep {
	struct proc_cache	*c;
	uint64_t		 now;
	struct { uint64_t *v; size_t n, cap; } gone;	/* keys */
};

static void
sweep_one(void *val, void *arg)
{
	struct proc_entry *e = val;
	struct sweep *sw = arg;

	if (sw->now - e->used_ns >= PROC_CACHE_IDLE_NS)
		*VEC_PUSH(&sw->gone) = (uint64_t)e->info.pid + 1;
}

void
proc_cache_sweep(struct proc_cache *c, uint64_t now)
{
	struct sweep sw = { .c = c, .now = now };
	size_t i;

	if (now - c->last_sweep_ns < 60ULL * 1000000000ULL)
		return;
	c->last_sweep_ns = now;
	hmap_each(&c->by_pid, sweep_one, &sw);
	for (i = 0; i < sw.gone.n; i++)
		entry_free(hmap_del(&c->by_pid, sw.gone.v[i]));
	VEC_FREE(&sw.gone);
}

static void
free_cb(void *val, void *arg)
{
	(void)arg;
	entry_free(val);
}

void
proc_cache_release(struct proc_cache *c)
{
	hmap_each(&c->by_pid, free_cb, NULL);
	hmap_release(&c->by_pid);
}
