/*
 * A finished profile (profile.h) as text, as one JSON object, or as a
 * self-contained HTML page (the JSON plus a small renderer; nothing is
 * fetched from elsewhere).
 */
#ifndef PROFILE_RENDER_H
#define PROFILE_RENDER_H

#include "profile/profile.h"
#include "util/buf.h"

/* What the run was, beside the profile itself. */
struct prof_run {
	char		**argv;		/* the command run; NULL when attached */
	const char	*target;	/* attached: "pid 123", "unit ssh.service" */
	int		 exit_status;	/* the command's; -1 when attached */
	uint64_t	 duration_ns;
	uint64_t	 snapshots_lost;
	uint64_t	 stacks_walked;		/* unwound by libdw */
	uint64_t	 stacks_recognised;	/* a chain seen before (see unwind.c) */
	const char	*expect_path;	/* NULL without --expect */
	const struct prof_expect *expect;
};

void	prof_render_text(struct buf *, const struct profile *, const struct prof_run *);
void	prof_render_json(struct buf *, const struct profile *, const struct prof_run *);
void	prof_render_html(struct buf *, const struct profile *, const struct prof_run *);

/* "app!fetch_updates", "app+0x1189", or "(why)": into out. */
void	prof_func_label(const struct prof_func *, char *out, size_t outlen);
/* The address as text ("127.0.0.1", "::1"). */
void	prof_addr_str(const struct prof_addr *, char *out, size_t outlen);
/* The basename of a module path. */
const char *prof_module_name(const char *path);

#endif
