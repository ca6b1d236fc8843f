/*
 * User-stack snapshots -> call chains of module!function (file:line),
 * with elfutils' libdwfl: the registers and the copy of the stack taken at
 * a system call's entry are served to dwfl_attach_state's callbacks, and
 * dwfl_getthread_frames walks them with DWARF call-frame information (no
 * frame pointers needed).  Modules come from the process's memory map,
 * read once per process image (unwind_note(), as early as possible: a
 * process that has exited has no map left to read).
 *
 *	struct unwinder *u = unwinder_new();
 *	unwind_note(u, pid, start_ns, exec_id);	// when its first snapshot arrives
 *	unwind_stack(u, &in, &frames, err, sizeof err);
 *	... frames.v[i].module, .func ...
 *	VEC_FREE(&frames);
 *	unwinder_free(u);
 *
 * Strings in frames belong to the unwinder and live until unwinder_free.
 */
#ifndef UNWIND_UNWIND_H
#define UNWIND_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#define UNWIND_NREGS	17	/* x86-64 DWARF registers 0-16 (16: the pc) */
#define UNWIND_REG_SP	7
#define UNWIND_REG_IP	16
#define UNWIND_MAX_FRAMES 64

/* Which part of the software a frame belongs to, for attribution. */
enum unwind_kind {
	UNWIND_APP = 0,		/* the application or a library of its own */
	UNWIND_LIBC,		/* the C library, the dynamic loader, the vDSO */
	UNWIND_RUNTIME,		/* a language runtime (libpython, python3.x, ...) */
};

struct unwind_frame {
	uint64_t	 pc;		/* the return address (the first frame: the pc) */
	uint64_t	 elf_addr;	/* pc as an address of the module's ELF file */
	const char	*module;	/* path of the module; NULL when none maps pc */
	const char	*func;		/* the symbol that holds pc; NULL when none */
	uint64_t	 func_off;	/* pc - the symbol's start */
	const char	*near;		/* no func: the nearest function symbol before
					   pc (an exported one when stripped), or NULL */
	uint64_t	 near_off;	/* pc - near's start */
	const char	*file;		/* source file (debug information; application
					   frames only); NULL if none */
	int		 line;
	enum unwind_kind kind;
};

struct unwind_frames {
	struct unwind_frame	*v;
	size_t			 n, cap;
};

struct unwind_input {
	uint32_t	 pid, tid;
	uint64_t	 start_ns;	/* the process's start: with exec_id, */
	uint32_t	 exec_id;	/* which image of pid the map is for */
	uint64_t	 regs[UNWIND_NREGS];
	const uint8_t	*stack;		/* a copy of the stack from regs[UNWIND_REG_SP] */
	size_t		 stack_len;
};

struct unwinder;

/* NULL when unwinding is available, else why not (built without libdw). */
const char	*unwind_unavailable(void);

struct unwinder *unwinder_new(void);
void		 unwinder_free(struct unwinder *);

/* Read the memory map of process pid (image start_ns/exec_id) unless it
 * is known already.  Returns 0, or -1 when it cannot be read (the process
 * is gone); unwind_stack then says so. */
int	unwind_note(struct unwinder *, uint32_t pid, uint64_t start_ns, uint32_t exec_id);

/* A mapping of an executable file, as the kernel saw it (for a process
 * whose /proc/PID/maps can no longer be read). */
struct unwind_map {
	uint64_t	 start, end;
	uint64_t	 offset;	/* file offset of start */
	uint64_t	 ino;
	const char	*path;
};

/* Like unwind_note, but when /proc/PID/maps cannot be read, use maps[n]
 * (the executable mappings the kernel reported).  Returns 0 or -1. */
int	unwind_note_maps(struct unwinder *, uint32_t pid, uint64_t start_ns,
	    uint32_t exec_id, const struct unwind_map *maps, size_t n);

/* Unwind one snapshot into out (emptied first): the innermost frame
 * first.  Returns the number of frames (at least 1 when the map is
 * known), or -1 with the reason in err.  A walk that stops early (a frame
 * without call-frame information, the end of the copied stack) keeps the
 * frames found so far and is not an error. */
int	unwind_stack(struct unwinder *, const struct unwind_input *,
	    struct unwind_frames *out, char *err, size_t errlen);

/* s as a string owned by the unwinder (one copy per distinct string),
 * valid until unwinder_free; NULL for NULL or without libdw. */
const char	*unwind_intern(struct unwinder *, const char *s);

/* The kind of a module path (by its file name). */
enum unwind_kind unwind_module_kind(const char *path);

/* Counters for the closing note. */
struct unwind_stats {
	uint64_t	stacks;		/* unwind_stack calls */
	uint64_t	frames;
	uint64_t	cached;		/* stacks recognised as a chain seen before */
	uint64_t	no_map;		/* snapshots whose process map was never read */
	uint64_t	maps_read;	/* from /proc/PID/maps */
	uint64_t	maps_kernel;	/* from the kernel's record (the process was gone) */
};
void	unwind_get_stats(const struct unwinder *, struct unwind_stats *);

#endif
