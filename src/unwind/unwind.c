/*
 * The libdw unwinder (see unwind.h).  One Dwfl per process image, built
 * from the memory map read at first sight and attached once with our own
 * thread callbacks; each unwind_stack() points those callbacks at the
 * snapshot in hand and asks dwfl_getthread_frames for its frames.  What a
 * pc means (module, symbol, source line) is looked up once per process
 * and pc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind/unwind.h"

enum unwind_kind
unwind_module_kind(const char *path)
{
	static const char *const libc[] = {
		"libc.so", "libc-", "ld-linux", "ld64.so", "ld-musl", "libpthread.so",
		"libdl.so", "linux-vdso", "[vdso]", "libresolv.so", NULL
	};
	static const char *const runtime[] = {
		"libpython", "python2", "python3", "libruby", "ruby", "libperl",
		"perl", "libjvm.so", "libnode.so", "node", "libluajit", "liblua",
		"php", "libphp", NULL
	};
	const char *base;
	size_t i;

	if (path == NULL)
		return UNWIND_APP;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (i = 0; libc[i]; i++)
		if (strncmp(base, libc[i], strlen(libc[i])) == 0)
			return UNWIND_LIBC;
	for (i = 0; runtime[i]; i++) {
		size_t n = strlen(runtime[i]);

		/* "python3.11", "libpython3.11.so.1.0", "perl", "node": the
		 * name, then the end, a digit, '.' or '-' */
		if (strncmp(base, runtime[i], n) == 0 &&
		    (base[n] == '\0' || base[n] == '.' || base[n] == '-' ||
		    (base[n] >= '0' && base[n] <= '9')))
			return UNWIND_RUNTIME;
	}
	return UNWIND_APP;
}

#ifdef HAVE_LIBDW
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include "util/buf.h"
#include "util/hmap.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#define MAPS_MAX	(64u << 20)
#define OPEN_DWFL_MAX	32	/* Dwfl sessions kept open (each holds ELF files) */
#define PROCS_MAX	1024	/* process images remembered (maps, symbols) */

/* What the thread callbacks serve: the snapshot being unwound. */
struct snap_ctx {
	const struct unwind_input *in;
};

/* One symbolised pc. */
struct sym {
	const char	*module, *func, *file, *near;
	uint64_t	 elf_addr, func_off, near_off;
	int		 line;
	enum unwind_kind kind;
};

/* A call chain seen before, to be recognised in a new snapshot without
 * unwinding it again: learnt only where every frame's CFA is the stack
 * pointer plus a constant (a fixed-size frame), so that the same pcs mean
 * the same return-address slots; see chain_learn. */
#define CHAINS_PER_PC	4

struct chain {
	size_t			 n;
	size_t			 stack_len;	/* of the copy it was unwound from */
	uint64_t		*ra_off;	/* [i]: frame i's pc at sp0 + ra_off[i] (1 <= i < n);
						   [n]: the slot the walk stopped at
						   (UINT64_MAX: the CFI ended it) */
	int			 end_readable;	/* the stop slot was in the copy, */
	uint64_t		 end_word;	/* holding this */
	struct unwind_frame	*frames;
};

struct chainset {
	struct chain	c[CHAINS_PER_PC];
	size_t		n, next;
};

struct proc {
	uint32_t	 pid;
	uint64_t	 start_ns;
	uint32_t	 exec_id;
	char		*maps;		/* /proc/PID/maps as read at first sight */
	size_t		 maps_len;
	int		 reread;	/* the map was read again after a miss */
	Dwfl		*dwfl;		/* NULL when closed (reopened from maps) */
	int		 attached;
	uint64_t	 used;		/* unwinder tick of the last use */
	struct snap_ctx	 ctx;
	struct hmap	 syms;		/* pc -> struct sym */
	struct hmap	 chains;	/* first pc -> struct chainset */
};

/* Interned strings: hash -> chain. */
struct istr {
	struct istr	*next;
	char		 s[];
};

struct unwinder {
	struct hmap		 procs;		/* pid -> struct proc */
	struct hmap		 strs;		/* hash -> struct istr chain */
	size_t			 open;
	uint64_t		 tick;
	struct unwind_stats	 stats;
};

static char *debuginfo_path;

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

/* s as a string owned by u (one copy per distinct string). */
static const char *
intern(struct unwinder *u, const char *s)
{
	uint64_t h;
	struct istr *i, *head;
	size_t n;

	if (s == NULL)
		return NULL;
	h = str_hash(s);
	head = hmap_get(&u->strs, h);
	for (i = head; i; i = i->next)
		if (strcmp(i->s, s) == 0)
			return i->s;
	n = strlen(s) + 1;
	i = xmalloc(sizeof(*i) + n);
	memcpy(i->s, s, n);
	i->next = head;
	hmap_put(&u->strs, h, i);
	return i->s;
}

/* ---- thread callbacks: one thread, the snapshot's ---- */

static pid_t
cb_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct snap_ctx *c = arg;

	(void)dwfl;
	if (*thread_argp != NULL)
		return 0;
	*thread_argp = c;
	return (pid_t)c->in->tid;
}

static bool
cb_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct snap_ctx *c = arg;

	(void)dwfl;
	*thread_argp = c;
	return (uint32_t)tid == c->in->tid;
}

/* A word of the copied stack; anything else is not in the snapshot. */
static bool
cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct snap_ctx *c = arg;
	uint64_t sp = c->in->regs[UNWIND_REG_SP];

	(void)dwfl;
	if (addr < sp || addr - sp > c->in->stack_len ||
	    c->in->stack_len - (addr - sp) < sizeof(*result))
		return false;
	memcpy(result, c->in->stack + (addr - sp), sizeof(*result));
	return true;
}

static bool
cb_set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	struct snap_ctx *c = thread_arg;
	Dwarf_Word regs[UNWIND_NREGS];
	int i;

	for (i = 0; i < UNWIND_NREGS; i++)
		regs[i] = c->in->regs[i];
	if (!dwfl_thread_state_registers(thread, 0, UNWIND_NREGS, regs))
		return false;
	dwfl_thread_state_register_pc(thread, regs[UNWIND_REG_IP]);
	return true;
}

static const Dwfl_Thread_Callbacks snap_callbacks = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

/* ---- processes ---- */

/* Read /proc/PID/maps whole into *out.  Returns its length, or -1. */
static ssize_t
read_maps(uint32_t pid, char **out)
{
	char path[64], *b = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			if (cap > MAPS_MAX)
				break;
			b = xreallocarray(b, cap, 1);
		}
		n = read(fd, b + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len == 0) {		/* a zombie has an empty map */
		free(b);
		return -1;
	}
	b[len] = '\0';
	*out = b;
	return (ssize_t)len;
}

static void
proc_close_dwfl(struct unwinder *u, struct proc *p)
{
	if (p->dwfl) {
		dwfl_end(p->dwfl);
		p->dwfl = NULL;
		p->attached = 0;
		u->open--;
	}
}

static void
free_sym(void *v, void *arg)
{
	(void)arg;
	free(v);
}

static void
free_chainset(void *v, void *arg)
{
	struct chainset *cs = v;
	size_t i;

	(void)arg;
	for (i = 0; i < cs->n; i++) {
		free(cs->c[i].ra_off);
		free(cs->c[i].frames);
	}
	free(cs);
}

static void
proc_free(struct unwinder *u, struct proc *p)
{
	proc_close_dwfl(u, p);
	hmap_each(&p->syms, free_sym, NULL);
	hmap_release(&p->syms);
	hmap_each(&p->chains, free_chainset, NULL);
	hmap_release(&p->chains);
	free(p->maps);
	free(p);
}

struct oldest {
	struct proc	*p;
	int		 open_only;	/* among those with an open Dwfl */
};

static void
find_oldest(void *v, void *arg)
{
	struct proc *p = v;
	struct oldest *o = arg;

	if ((p->dwfl || !o->open_only) && (o->p == NULL || p->used < o->p->used))
		o->p = p;
}

/* An open, attached Dwfl for p's map.  Returns NULL with a reason. */
static Dwfl *
proc_dwfl(struct unwinder *u, struct proc *p, char *err, size_t errlen)
{
	struct oldest o = { NULL, 1 };
	FILE *fp;

	if (p->dwfl)
		return p->dwfl;
	if (u->open >= OPEN_DWFL_MAX) {
		hmap_each(&u->procs, find_oldest, &o);
		if (o.p)
			proc_close_dwfl(u, o.p);
	}
	if ((p->dwfl = dwfl_begin(&proc_callbacks)) == NULL) {
		snprintf(err, errlen, "libdw: %s", dwfl_errmsg(-1));
		return NULL;
	}
	u->open++;
	dwfl_report_begin(p->dwfl);
	if ((fp = fmemopen(p->maps, p->maps_len, "r")) == NULL) {
		snprintf(err, errlen, "cannot read the memory map: %s", strerror(errno));
		goto fail;
	}
	if (dwfl_linux_proc_maps_report(p->dwfl, fp) != 0) {
		fclose(fp);
		snprintf(err, errlen, "libdw cannot use the memory map of %u: %s", p->pid,
		    dwfl_errmsg(-1));
		goto fail;
	}
	fclose(fp);
	dwfl_report_end(p->dwfl, NULL, NULL);
	if (!dwfl_attach_state(p->dwfl, NULL, (pid_t)p->pid, &snap_callbacks, &p->ctx)) {
		snprintf(err, errlen, "libdw cannot unwind process %u: %s", p->pid,
		    dwfl_errmsg(-1));
		goto fail;
	}
	p->attached = 1;
	return p->dwfl;
fail:
	proc_close_dwfl(u, p);
	return NULL;
}

struct unwinder *
unwinder_new(void)
{
	return xcalloc(1, sizeof(struct unwinder));
}

static void
free_proc_cb(void *v, void *arg)
{
	proc_free(arg, v);
}

static void
free_istr(void *v, void *arg)
{
	struct istr *i = v, *next;

	(void)arg;
	for (; i; i = next) {
		next = i->next;
		free(i);
	}
}

void
unwinder_free(struct unwinder *u)
{
	if (u == NULL)
		return;
	hmap_each(&u->procs, free_proc_cb, u);
	hmap_release(&u->procs);
	hmap_each(&u->strs, free_istr, NULL);
	hmap_release(&u->strs);
	free(u);
}

static struct proc *
proc_get(struct unwinder *u, uint32_t pid, uint64_t start_ns, uint32_t exec_id)
{
	struct proc *p = hmap_get(&u->procs, pid);

	if (p && (p->start_ns != start_ns || p->exec_id != exec_id)) {
		/* another image of the pid (exec) or another process */
		hmap_del(&u->procs, pid);
		proc_free(u, p);
		p = NULL;
	}
	return p;
}

/* Remember p (a new image); the one used longest ago goes when there
 * are too many. */
static void
proc_add(struct unwinder *u, struct proc *p)
{
	struct oldest o = { NULL, 0 };

	if (u->procs.count >= PROCS_MAX) {
		hmap_each(&u->procs, find_oldest, &o);
		if (o.p) {
			hmap_del(&u->procs, o.p->pid);
			proc_free(u, o.p);
		}
	}
	p->used = ++u->tick;
	hmap_put(&u->procs, p->pid, p);
}

int
unwind_note(struct unwinder *u, uint32_t pid, uint64_t start_ns, uint32_t exec_id)
{
	struct proc *p;
	char *maps;
	ssize_t n;

	if (pid == 0)
		return -1;
	if (proc_get(u, pid, start_ns, exec_id))
		return 0;
	if ((n = read_maps(pid, &maps)) < 0)
		return -1;
	u->stats.maps_read++;
	p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->start_ns = start_ns;
	p->exec_id = exec_id;
	p->maps = maps;
	p->maps_len = (size_t)n;
	proc_add(u, p);
	return 0;
}

int
unwind_note_maps(struct unwinder *u, uint32_t pid, uint64_t start_ns, uint32_t exec_id,
    const struct unwind_map *maps, size_t n)
{
	struct buf text;
	struct proc *p;
	size_t i;

	if (pid == 0)
		return -1;
	if (proc_get(u, pid, start_ns, exec_id) || unwind_note(u, pid, start_ns, exec_id) == 0)
		return 0;
	if (n == 0)
		return -1;
	/* The lines libdwfl reads: the file from offset 0 (where the module
	 * starts: its bias), then the executable part. */
	buf_init(&text);
	for (i = 0; i < n; i++) {
		const struct unwind_map *m = &maps[i];

		if (m->path == NULL || m->path[0] != '/' || m->start < m->offset)
			continue;
		if (m->offset)
			buf_printf(&text, "%llx-%llx r--p 00000000 00:00 %llu %s\n",
			    (unsigned long long)(m->start - m->offset),
			    (unsigned long long)m->start, (unsigned long long)m->ino, m->path);
		buf_printf(&text, "%llx-%llx r-xp %08llx 00:00 %llu %s\n",
		    (unsigned long long)m->start, (unsigned long long)m->end,
		    (unsigned long long)m->offset, (unsigned long long)m->ino, m->path);
	}
	if (text.len == 0) {
		buf_release(&text);
		return -1;
	}
	u->stats.maps_kernel++;
	p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->start_ns = start_ns;
	p->exec_id = exec_id;
	p->maps_len = text.len;
	p->maps = buf_detach(&text);
	p->reread = 1;		/* the process is gone: nothing to read again */
	proc_add(u, p);
	return 0;
}

/* Read p's map again (a library loaded after the first read); the Dwfl
 * is rebuilt on next use.  Returns 0 if it could be read. */
static int
proc_reread(struct unwinder *u, struct proc *p)
{
	char *maps;
	ssize_t n;

	p->reread = 1;
	if ((n = read_maps(p->pid, &maps)) < 0)
		return -1;
	u->stats.maps_read++;
	free(p->maps);
	p->maps = maps;
	p->maps_len = (size_t)n;
	proc_close_dwfl(u, p);
	return 0;
}

/* The function symbol of m that starts closest below pc (a stripped
 * module still has its exported symbols), for a pc no symbol holds. */
static const char *
nearest_symbol(Dwfl_Module *m, uint64_t pc, uint64_t *off)
{
	const char *name, *best = NULL;
	GElf_Addr addr, best_addr = 0;
	GElf_Sym sym;
	int i, n = dwfl_module_getsymtab(m);

	for (i = 1; i < n; i++) {
		name = dwfl_module_getsym_info(m, i, &sym, &addr, NULL, NULL, NULL);
		if (name == NULL || name[0] == '\0' || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_value == 0 ||
		    addr > pc || (best && addr <= best_addr))
			continue;
		best = name;
		best_addr = addr;
	}
	if (best)
		*off = pc - best_addr;
	return best;
}

/* What pc (a lookup address: return addresses minus one) means in p. */
static const struct sym *
symbolise(struct unwinder *u, struct proc *p, Dwfl *dwfl, uint64_t pc)
{
	struct sym *s = hmap_get(&p->syms, pc + 1);
	Dwfl_Module *m;
	Dwfl_Line *l;
	GElf_Sym esym;
	GElf_Off off;
	Dwarf_Addr bias = 0, laddr;
	const char *name, *file;
	int line = 0;

	if (s)
		return s;
	s = xcalloc(1, sizeof(*s));
	if ((m = dwfl_addrmodule(dwfl, pc)) != NULL) {
		name = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		s->module = intern(u, name);
		s->kind = unwind_module_kind(name);
		if (dwfl_module_getelf(m, &bias) != NULL)
			s->elf_addr = pc - bias;
		if ((name = dwfl_module_addrinfo(m, pc, &off, &esym, NULL, NULL, NULL)) != NULL) {
			s->func = intern(u, name);
			s->func_off = off;
		} else if ((name = nearest_symbol(m, pc, &off)) != NULL) {
			s->near = intern(u, name);
			s->near_off = off;
		}
		/* Source lines of the application's own frames only: the C
		 * library's and a runtime's debug information can take long to
		 * load, while a busy application's snapshots wait. */
		if (s->kind == UNWIND_APP && (l = dwfl_module_getsrc(m, pc)) != NULL &&
		    (file = dwfl_lineinfo(l, &laddr, &line, NULL, NULL, NULL)) != NULL) {
			s->file = intern(u, file);
			s->line = line;
		}
	}
	hmap_put(&p->syms, pc + 1, s);
	return s;
}

struct walk {
	struct unwinder		*u;
	struct proc		*p;
	Dwfl			*dwfl;
	struct unwind_frames	*out;
	int			 unmapped;	/* a pc no module maps */
};

static int
frame_cb(Dwfl_Frame *state, void *arg)
{
	struct walk *w = arg;
	struct unwind_frame *f;
	const struct sym *s;
	Dwarf_Addr pc;
	bool activation;
	uint64_t lookup;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (pc == 0)
		return DWARF_CB_ABORT;
	lookup = activation ? pc : pc - 1;
	s = symbolise(w->u, w->p, w->dwfl, lookup);
	f = VEC_PUSH(w->out);
	f->pc = pc;
	f->module = s->module;
	f->func = s->func;
	f->func_off = s->func ? s->func_off + (pc - lookup) : 0;
	f->near = s->near;
	f->near_off = s->near ? s->near_off + (pc - lookup) : 0;
	f->elf_addr = s->module ? s->elf_addr + (pc - lookup) : 0;
	f->file = s->file;
	f->line = s->line;
	f->kind = s->kind;
	if (s->module == NULL)
		w->unmapped = 1;
	return w->out->n >= UNWIND_MAX_FRAMES ? DWARF_CB_ABORT : DWARF_CB_OK;
}

/* The 8-byte word at sp0 + off of the snapshot, if copied. */
static int
stack_word(const struct unwind_input *in, uint64_t off, uint64_t *w)
{
	if (off > in->stack_len || in->stack_len - off < sizeof(*w))
		return 0;
	memcpy(w, in->stack + off, sizeof(*w));
	return 1;
}

/* The CFI of the frame at lookup (a pc; a return address minus one):
 * *cfa_off set to k when the CFA is rsp + k.  Returns 1 for such a
 * fixed-size frame, 2 when the CFI says the frame has no caller (its
 * return address is undefined: the outermost frame), 0 otherwise. */
static int
frame_rule(Dwfl *dwfl, uint64_t lookup, uint64_t *cfa_off)
{
	Dwarf_Op ops_mem[3], *ops;
	Dwarf_Frame *fr;
	Dwarf_CFI *cfi;
	Dwarf_Addr bias;
	Dwfl_Module *m;
	size_t nops;
	int rule = 0;

	if ((m = dwfl_addrmodule(dwfl, lookup)) == NULL ||
	    ((cfi = dwfl_module_eh_cfi(m, &bias)) == NULL &&
	    (cfi = dwfl_module_dwarf_cfi(m, &bias)) == NULL) ||
	    dwarf_cfi_addrframe(cfi, lookup - bias, &fr) != 0)
		return 0;
	if (dwarf_frame_register(fr, UNWIND_REG_IP, ops_mem, &ops, &nops) == 0 &&
	    nops == 0 && ops == ops_mem)
		rule = 2;
	else if (dwarf_frame_cfa(fr, &ops, &nops) == 0 && nops == 1 &&
	    ops[0].atom == DW_OP_bregx && ops[0].number == UNWIND_REG_SP &&
	    (int64_t)ops[0].number2 >= 8) {
		*cfa_off = ops[0].number2;
		rule = 1;
	}
	free(fr);
	return rule;
}

/* Remember the chain f just unwound from in, if every frame has a fixed
 * size (CFA = rsp + constant, by the module's CFI), the return addresses
 * sit where that says, and the walk ended for a reason the same slots
 * decide again: the outermost frame by its CFI, or the next return
 * address's slot (its value, or its being past the copy).  Then the same
 * pc at the top and the same words in the same slots of a later snapshot
 * (copied no further) are the same chain: frame by frame the pc fixes the
 * frame's size, the size fixes where the next return address is. */
static void
chain_learn(struct proc *p, Dwfl *dwfl, const struct unwind_input *in,
    const struct unwind_frames *f)
{
	uint64_t off = 0, k = 0, w, *ra_off;
	struct chainset *cs;
	struct chain *c;
	size_t i;
	int rule;

	if (f->n == 0 || f->n >= UNWIND_MAX_FRAMES)
		return;
	/* ra_off[i]: frame i's return-address slot (i >= 1); ra_off[n]: the
	 * slot the walk stopped at, or UINT64_MAX when the CFI ended it */
	ra_off = xcalloc(f->n + 1, sizeof(*ra_off));
	for (i = 0; i < f->n; i++) {
		rule = frame_rule(dwfl, i == 0 ? f->v[0].pc : f->v[i].pc - 1, &k);
		if (rule == 2 && i + 1 == f->n) {
			ra_off[f->n] = UINT64_MAX;
			break;
		}
		if (rule != 1)
			goto no;
		off += k;
		ra_off[i + 1] = off - 8;
		if (i + 1 == f->n)
			break;		/* the slot the walk stopped at */
		if (!stack_word(in, ra_off[i + 1], &w) || w != f->v[i + 1].pc)
			goto no;
	}
	if ((cs = hmap_get(&p->chains, f->v[0].pc)) == NULL) {
		cs = xcalloc(1, sizeof(*cs));
		hmap_put(&p->chains, f->v[0].pc, cs);
	}
	if (cs->n < CHAINS_PER_PC)
		c = &cs->c[cs->n++];
	else {			/* the oldest goes */
		c = &cs->c[cs->next];
		cs->next = (cs->next + 1) % CHAINS_PER_PC;
		free(c->ra_off);
		free(c->frames);
	}
	c->n = f->n;
	c->stack_len = in->stack_len;
	c->end_readable = ra_off[f->n] != UINT64_MAX &&
	    stack_word(in, ra_off[f->n], &c->end_word);
	c->ra_off = ra_off;
	c->frames = xreallocarray(NULL, f->n, sizeof(*c->frames));
	memcpy(c->frames, f->v, f->n * sizeof(*c->frames));
	return;
no:
	free(ra_off);
}

/* A remembered chain that in's stack holds: its frames into out. */
static int
chain_match(struct proc *p, const struct unwind_input *in, struct unwind_frames *out)
{
	struct chainset *cs = hmap_get(&p->chains, in->regs[UNWIND_REG_IP]);
	const struct chain *c;
	size_t k, i;
	uint64_t w;

	for (k = 0; cs && k < cs->n; k++) {
		c = &cs->c[k];
		/* a longer copy may let the walk go further than it went */
		if (in->stack_len > c->stack_len)
			continue;
		for (i = 1; i < c->n; i++)
			if (!stack_word(in, c->ra_off[i], &w) || w != c->frames[i].pc)
				break;
		if (i < c->n)
			continue;
		/* and the walk would stop where it stopped */
		if (c->ra_off[c->n] != UINT64_MAX && (c->end_readable ?
		    !stack_word(in, c->ra_off[c->n], &w) || w != c->end_word :
		    stack_word(in, c->ra_off[c->n], &w)))
			continue;
		VEC_RESERVE(out, c->n);
		memcpy(out->v, c->frames, c->n * sizeof(*c->frames));
		out->n = c->n;
		return 1;
	}
	return 0;
}

int
unwind_stack(struct unwinder *u, const struct unwind_input *in,
    struct unwind_frames *out, char *err, size_t errlen)
{
	struct walk w;
	struct proc *p;
	int tries;

	out->n = 0;
	u->stats.stacks++;
	if ((p = proc_get(u, in->pid, in->start_ns, in->exec_id)) == NULL &&
	    (unwind_note(u, in->pid, in->start_ns, in->exec_id) == -1 ||
	    (p = proc_get(u, in->pid, in->start_ns, in->exec_id)) == NULL)) {
		u->stats.no_map++;
		snprintf(err, errlen, "process %u exited before its memory map was read",
		    in->pid);
		return -1;
	}
	p->used = ++u->tick;
	if (chain_match(p, in, out)) {
		u->stats.cached++;
		u->stats.frames += out->n;
		return (int)out->n;
	}
	for (tries = 0; tries < 2; tries++) {
		memset(&w, 0, sizeof(w));
		w.u = u;
		w.p = p;
		w.out = out;
		out->n = 0;
		if ((w.dwfl = proc_dwfl(u, p, err, errlen)) == NULL)
			return -1;
		p->ctx.in = in;
		/* an error at the end of the chain is how many walks end */
		(void)dwfl_getthread_frames(w.dwfl, (pid_t)in->tid, frame_cb, &w);
		p->ctx.in = NULL;
		if (!w.unmapped)
			chain_learn(p, w.dwfl, in, out);
		if (!w.unmapped || p->reread || proc_reread(u, p) == -1)
			break;
		/* a pc outside every known module: a library loaded since */
		hmap_each(&p->syms, free_sym, NULL);
		hmap_release(&p->syms);
	}
	u->stats.frames += out->n;
	if (out->n == 0) {
		snprintf(err, errlen, "no frame could be unwound (pc 0x%llx)",
		    (unsigned long long)in->regs[UNWIND_REG_IP]);
		return -1;
	}
	return (int)out->n;
}

void
unwind_get_stats(const struct unwinder *u, struct unwind_stats *st)
{
	*st = u->stats;
}

const char *
unwind_unavailable(void)
{
	return NULL;
}

const char *
unwind_intern(struct unwinder *u, const char *s)
{
	return intern(u, s);
}

#else	/* !HAVE_LIBDW */

struct unwinder { int unused; };

const char *
unwind_unavailable(void)
{
	return "this portscope was built without libdw (elfutils)";
}

struct unwinder *unwinder_new(void) { return NULL; }
const char *unwind_intern(struct unwinder *u, const char *s) { (void)u; (void)s; return NULL; }
void unwinder_free(struct unwinder *u) { (void)u; }

int
unwind_note(struct unwinder *u, uint32_t pid, uint64_t start_ns, uint32_t exec_id)
{
	(void)u; (void)pid; (void)start_ns; (void)exec_id;
	return -1;
}

int
unwind_note_maps(struct unwinder *u, uint32_t pid, uint64_t start_ns, uint32_t exec_id,
    const struct unwind_map *maps, size_t n)
{
	(void)u; (void)pid; (void)start_ns; (void)exec_id; (void)maps; (void)n;
	return -1;
}

int
unwind_stack(struct unwinder *u, const struct unwind_input *in,
    struct unwind_frames *out, char *err, size_t errlen)
{
	(void)u; (void)in; (void)out;
	snprintf(err, errlen, "%s", unwind_unavailable());
	return -1;
}

void
unwind_get_stats(const struct unwinder *u, struct unwind_stats *st)
{
	(void)u;
	memset(st, 0, sizeof(*st));
}

#endif
