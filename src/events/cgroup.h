/*
 * Control groups for the event engine: where the cgroup v2 hierarchy is
 * mounted (the BPF programs attach to its root), which cgroup a systemd
 * unit is, and which cgroups lie below one (a unit filter).  A cgroup v2
 * id is the inode number of its directory.
 */
#ifndef EVENTS_CGROUP_H
#define EVENTS_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/u64map.h"

/* The cgroup v2 mount point (from /proc/self/mountinfo) into out.
 * Returns 0, or -1 with the reason in err. */
int	cgroup2_mount(char *out, size_t outlen, char *err, size_t errlen);

/* The id of the cgroup of systemd unit name ("ssh.service", or "ssh" for
 * ssh.service; slices and scopes by full name).  Returns 0, or -1 with the
 * reason in err ("unknown unit 'x'"). */
int	cgroup_unit_id(const char *name, uint64_t *id, char *err, size_t errlen);

/* Fill set (initialised here, released by the caller) with id and the ids
 * of every cgroup below it.  Returns 0, or -1 when id is not found. */
int	cgroup_subtree(uint64_t id, struct u64map *set);

/* The path (below the cgroup v2 mount, "/system.slice/ssh.service") of
 * the cgroup with this id, into out; it may have been removed since.
 * Needs CAP_DAC_READ_SEARCH (open_by_handle_at).  Returns 0, or -1 when
 * it is gone or cannot be looked up. */
int	cgroup_path(uint64_t id, char *out, size_t outlen);

/* The id of the cgroup v2 cgroup of process pid, or 0 when unknown. */
uint64_t cgroup_of_pid(pid_t pid);

#endif
