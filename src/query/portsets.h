/*
 * Named sets of ports, as PortQryUI offered them ("Domains and Trusts",
 * "SQL Service", …): `portscope query --set NAME` queries every port of a
 * set, each with its own protocol, and `--list-sets` shows them.
 */
#ifndef QUERY_PORTSETS_H
#define QUERY_PORTSETS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct portset_port {
	int		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t	 port;
};

struct portset {
	const char	*name;		/* "domain" */
	const char	*what;		/* one line for --list-sets */
	const struct portset_port *ports;	/* in query order */
	size_t		 nports;
};

/* The set called name (exact, lowercase), or NULL. */
const struct portset	*portset_find(const char *name);
/* The sets, in the order --list-sets shows them; *n receives how many. */
const struct portset	*portset_all(size_t *n);
/* Append the --list-sets text: one line per set, its name, what it is for
 * and its ports ("tcp/389 udp/389 …"). */
void	portset_list(struct buf *out);
/* Append the names of every set, comma-separated (for error messages). */
void	portset_names(struct buf *out);

#endif
