/*
 * Owner lookup for repeated snapshots of a few sockets (watch checks): an
 * owner backend that remembers which process held which socket at the last
 * scan and, when nothing new has appeared, only confirms those descriptors
 * (one readlink each) instead of looking at every process's descriptors.
 *
 * A full scan, with the backend chosen at init, runs when:
 *   - there is no earlier scan, or the last full one is older than
 *     OWNER_CACHE_FULL_EVERY_MS (a descriptor passed over a Unix socket to
 *     a process that already existed is seen by then at the latest);
 *   - a socket inode appears that was not known and is not held by one of
 *     the processes that owned watched sockets, nor by a new process;
 *   - a known socket lost every owner it had yet still has an inode (some
 *     other process must hold it);
 *   - the kernel's last allocated pid went backwards (pids wrapped, so a
 *     reused pid cannot pass for an old process).
 * New processes (pids not in /proc at the last scan) are always looked at,
 * one by one, so that a child that inherited a socket is seen at once.
 *
 * The state lives in this file: one cache per process, which is what one
 * watch needs.  Scans must have want set (a filtered snapshot); without it
 * every scan is a full one.
 */
#ifndef HOST_OWNER_CACHE_H
#define HOST_OWNER_CACHE_H

#include <stddef.h>

#include "host/owner.h"

#define OWNER_CACHE_FULL_EVERY_MS	30000

extern const struct owner_backend owner_cache;

/* Forget everything and use full for full scans (NULL: the BPF iterator
 * when it loads, else procfs). */
void	owner_cache_init(const struct owner_backend *full);
/* Free what the cache holds. */
void	owner_cache_release(void);
/* How many scans so far were full scans. */
size_t	owner_cache_full_scans(void);

#endif
