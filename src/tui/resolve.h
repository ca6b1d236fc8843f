/*
 * Reverse name lookups for the live view, in the background: asking for a
 * name never blocks; an address not yet known is queued for a worker
 * thread (getnameinfo), and the answer is cached for the rest of the run.
 * The cache holds at most RESOLVE_MAX addresses; later ones stay numeric.
 */
#ifndef TUI_RESOLVE_H
#define TUI_RESOLVE_H

#include <stdint.h>

#define RESOLVE_MAX	8192

struct resolver;

/* Start the worker.  Returns NULL with the reason in err. */
struct resolver	*resolver_new(char *err, size_t errlen);
void		 resolver_free(struct resolver *);

/* The cached name of addr (4 or 16 bytes by family), or NULL when it has
 * none (yet).  With queue set, an unknown address is queued for lookup.
 * The string stays valid until resolver_free().  Main thread only. */
const char	*resolver_name(struct resolver *, int family, const uint8_t *addr,
		    int queue);

/* Readable when answers have arrived since the last resolver_drain(). */
int		 resolver_fd(const struct resolver *);
void		 resolver_drain(struct resolver *);

#endif
