/*
 * Service names by port, read once from /etc/services into two tables
 * (TCP and UDP) so that a scan of 65535 ports costs one file read, not
 * one getservbyport(3) each.
 */
#ifndef QUERY_SERVICES_H
#define QUERY_SERVICES_H

#include <stdint.h>

struct services;

/* Read path (NULL: /etc/services).  A missing or unreadable file gives an
 * empty table: every port is then "unknown".  Never returns NULL; the
 * caller frees the result with services_free(). */
struct services	*services_load(const char *path);
void		 services_free(struct services *);

/* The first name listed for port/proto (IPPROTO_TCP or IPPROTO_UDP), else
 * the one listed for the other protocol, or NULL.  Valid until
 * services_free(). */
const char	*service_name(const struct services *, int proto, uint16_t port);

#endif
