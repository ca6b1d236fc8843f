/*
 * Own-socket collisions on a local target.  On loopback the kernel may
 * connect a socket to itself (its source port is the target port), or two
 * of the engine's sockets to each other (A from port P to port Y while B
 * goes from Y to P).  Neither says anything about the port.  The table
 * remembers which slot aims at which target port, so that an answer's
 * source port can be matched to the attempt that may have made it.
 */
#ifndef QUERY_COLLIDE_H
#define QUERY_COLLIDE_H

#include <stdint.h>

struct collide {
	uint32_t	*aiming[2];	/* [udp][target port] -> slot + 1 */
};

enum collision {
	COLLIDE_NONE,
	COLLIDE_SELF,		/* connected to itself */
	COLLIDE_PEER,		/* maybe another of ours: see collide_check */
};

/* Allocate the table (256 KiB per protocol).  collide_release() frees. */
void	collide_init(struct collide *);
void	collide_release(struct collide *);
/* Slot aims at (udp, port) from now on / no longer. */
void	collide_aim(struct collide *, int udp, uint16_t port, uint32_t slot);
void	collide_unaim(struct collide *, int udp, uint16_t port, uint32_t slot);

/*
 * An attempt aimed at target answered, and its own local port is mine.
 * Returns COLLIDE_SELF when mine is the target; COLLIDE_PEER with *peer
 * (a slot other than self) when that slot aims at mine (the pair crossed
 * if the peer's own local port is target: the caller checks); else
 * COLLIDE_NONE.
 */
enum collision collide_check(const struct collide *, int udp, uint32_t self,
	    uint16_t target, uint16_t mine, uint32_t *peer);

#endif
