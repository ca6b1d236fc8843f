/*
 * Short-lived connections for the live view: a socket that the event
 * engine saw open and close, and that no snapshot contained, flashes by as
 * a closed row (tui_model_flash) and is counted.  A socket some snapshot
 * did contain is already on screen (green, then red): it is not shown
 * twice.
 *
 * A closed socket with lifetime [open, close] is a candidate until it is
 * settled: it was seen when its cookie is in one of the last two applied
 * snapshots (or the one applied next); it was not when a snapshot that
 * began after its close is applied without it.  Pure logic over snapshots
 * and monotonic times; no event engine here (tui/app.c feeds it).
 */
#ifndef TUI_FLASH_H
#define TUI_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "host/snapshot.h"
#include "tui/model.h"
#include "util/u64map.h"

struct flash_cand {
	struct sock_row	r;		/* ends, proto, family, cookie */
	uint32_t	pid;
	char		comm[17];
	uint64_t	close_ns;
};

struct tui_flash {
	struct { struct flash_cand *v; size_t n, cap; } cand;
	struct u64map	seen[2];	/* cookies of the last two snapshots; [0] newest */
	int		have[2];
	size_t		max;		/* candidates kept at most; older are dropped */
	uint64_t	dropped;	/* candidates dropped for lack of room */
};

void	flash_init(struct tui_flash *, size_t max);
void	flash_release(struct tui_flash *);

/* The socket cookie of a row as one number (as the event engine has it). */
uint64_t flash_cookie(const struct sock_row *);

/* A socket closed at close_ns (monotonic); r->cookie set.  Ignored when
 * one of the last two snapshots held it. */
void	flash_closed(struct tui_flash *, const struct sock_row *r, uint32_t pid,
	    const char *comm, uint64_t close_ns);

/* Snapshot s, whose dump began at start_ns, has just been applied to m:
 * settle the candidates (flash those no snapshot can have seen) and
 * remember s's cookies.  now_ns stamps the flashes.  O(rows). */
void	flash_snapshot(struct tui_flash *, const struct snapshot *s, uint64_t start_ns,
	    struct tui_model *m, uint64_t now_ns);

#endif
