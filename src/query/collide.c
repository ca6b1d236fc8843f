#include <stdlib.h>

#include "query/collide.h"
#include "util/xmalloc.h"

void
collide_init(struct collide *c)
{
	c->aiming[0] = xcalloc(65536, sizeof(uint32_t));
	c->aiming[1] = xcalloc(65536, sizeof(uint32_t));
}

void
collide_release(struct collide *c)
{
	free(c->aiming[0]);
	free(c->aiming[1]);
	c->aiming[0] = c->aiming[1] = NULL;
}

void
collide_aim(struct collide *c, int udp, uint16_t port, uint32_t slot)
{
	c->aiming[udp != 0][port] = slot + 1;
}

void
collide_unaim(struct collide *c, int udp, uint16_t port, uint32_t slot)
{
	if (c->aiming[udp != 0][port] == slot + 1)
		c->aiming[udp != 0][port] = 0;
}

enum collision
collide_check(const struct collide *c, int udp, uint32_t self, uint16_t target,
    uint16_t mine, uint32_t *peer)
{
	uint32_t k;

	if (mine == target)
		return COLLIDE_SELF;
	if ((k = c->aiming[udp != 0][mine]) == 0 || k - 1 == self)
		return COLLIDE_NONE;
	*peer = k - 1;
	return COLLIDE_PEER;
}
