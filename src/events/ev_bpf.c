/*
 * The BPF backend of the event engine: load bpf/events.bpf.c, attach its
 * cgroup hooks to the root of the cgroup v2 hierarchy and its tracepoints,
 * take the start-up snapshot (owners of sockets the programs never saw
 * created), then turn ring-buffer records into struct port_event.  Loss is
 * counted in the kernel and delivered as EV_LOST.  Built only with BPF
 * (HAVE_BPF); otherwise open() says why event mode is unavailable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "events/source.h"

#ifdef HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/events.h"
#include "events.skel.h"
#include "events/cgroup.h"
#include "util/clock.h"
#include "util/strtonum.h"
#include "util/xmalloc.h"

#define LOSS_CHECK_MS	1000
#define SO_NETNS_COOKIE_OPT	71	/* SO_NETNS_COOKIE; not in older headers */

_Static_assert(EVK_BIND == EV_BIND && EVK_LISTEN == EV_LISTEN &&
    EVK_CONNECT == EV_CONNECT && EVK_ACCEPT == EV_ACCEPT &&
    EVK_STATE == EV_STATE && EVK_CLOSE == EV_CLOSE &&
    EVK_UDP_FLOW == EV_UDP_FLOW, "kernel event types match enum ev_type");
_Static_assert(EVKF_IMPLICIT == EVF_IMPLICIT && EVKF_PASSIVE == EVF_PASSIVE &&
    EVKF_NO_OWNER == EVF_NO_OWNER && EVKF_NO_START == EVF_NO_START,
    "kernel event flags match EVF_*");
_Static_assert(EV_LOST < 16, "an event type mask fits the kernel's filt_types");

/* The owner of a socket that existed before the programs, from the
 * start-up snapshot. */
struct snap_owner {
	uint32_t	pid;
	uint32_t	uid;
	uint64_t	cgroup_id;
	char		comm[EV_COMM_LEN];
};

struct bpf_priv {
	struct events		*skel;
	struct ring_buffer	*rb;
	int			 cgfd;
	int			 ncpus;
	uint64_t		*lost_percpu;
	uint64_t		 lost_seen;
	uint64_t		 mono_to_real;	/* add to a monotonic stamp */
	int			 busy;		/* the last read found records */
	struct u64map		 snap_cookies;	/* cookie → index into snap_owners */
	struct u64map		 snap_listeners; /* listen_key() → index into snap_owners */
	struct snap_owner	*snap_owners;
	size_t			 nsnap_owners;
	int			 bad_version;
};

static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || getenv("PORTSCOPE_BPF_DEBUG") == NULL)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* A test hook, not an option: PORTSCOPE_TEST_RINGBUF_BYTES (a power of
 * two, a multiple of the page size, at most 1 GiB) sizes the ring buffer
 * instead of EVK_RINGBUF_BYTES, so that a test can make it overflow
 * (tests/cli/events_loss.sh).  An invalid value is ignored with a one-line
 * warning.  Does nothing when unset. */
static void
test_ringbuf_size(struct events *s)
{
	const char *env = getenv("PORTSCOPE_TEST_RINGBUF_BYTES"), *why = NULL;
	long page = sysconf(_SC_PAGESIZE);
	long long n;

	if (env == NULL)
		return;
	n = strtonum(env, page > 0 ? page : 4096, 1LL << 30, &why);
	if (why == NULL && ((n & (n - 1)) != 0 || (page > 0 && n % page != 0)))
		why = "not a power of two";
	if (why != NULL) {
		fprintf(stderr, "portscope: PORTSCOPE_TEST_RINGBUF_BYTES ignored: "
		    "'%.32s' is %s\n", env, why);
		return;
	}
	bpf_map__set_max_entries(s->maps.events, (uint32_t)n);
}

static void
add_pid(uint32_t pid, void *arg)
{
	struct bpf_priv *bp = arg;
	uint8_t one = 1;

	bpf_map__update_elem(bp->skel->maps.pids, &pid, sizeof(pid), &one, sizeof(one),
	    BPF_ANY);
}

/* The key of a listening port in snap_listeners. */
static uint64_t
listen_key(unsigned family, unsigned port)
{
	return (uint64_t)family << 16 | port | 1ULL << 32;
}

/* Remember the owners the snapshot found, by cookie, for kernel events
 * about sockets created before the programs (they carry no owner), and
 * by listening port, for connections such a listener receives (they are
 * its clones: they carry its lack of owner until accept() names one). */
static void
keep_snapshot_owners(struct bpf_priv *bp, const struct snapshot *s)
{
	struct port_event e;
	struct snap_owner *o;
	size_t i;

	u64map_init(&bp->snap_cookies, s->nsocks);
	u64map_init(&bp->snap_listeners, s->nsocks);
	bp->snap_owners = xcalloc(s->nsocks + 1, sizeof(*bp->snap_owners));
	for (i = 0; i < s->nsocks; i++) {
		memset(&e, 0, sizeof(e));
		ev_from_row(&e, s, &s->socks[i]);
		if (e.cookie == 0 || e.pid == 0)
			continue;
		o = &bp->snap_owners[bp->nsnap_owners];
		o->pid = e.pid;
		o->uid = e.uid;
		snprintf(o->comm, sizeof(o->comm), "%s", e.comm);
		if (u64map_put(&bp->snap_cookies, e.cookie, (uint32_t)bp->nsnap_owners) !=
		    bp->nsnap_owners)
			continue;
		if (e.proto == IPPROTO_TCP && e.state == TCP_LISTEN)
			u64map_put(&bp->snap_listeners, listen_key(e.family, e.lport),
			    (uint32_t)bp->nsnap_owners);
		bp->nsnap_owners++;
	}
}

static int
on_record(void *ctx, void *data, size_t size)
{
	struct ev_source *src = ctx;
	struct bpf_priv *bp = src->priv;
	const struct evk_event *k = data;
	const struct snap_owner *o;
	struct port_event e;
	uint32_t i;

	if (size < sizeof(*k) || k->version != EVK_VERSION) {
		bp->bad_version++;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.type = (enum ev_type)k->type;
	e.flags = k->flags;
	e.mono_ns = k->ts_ns;
	e.ts_ns = k->ts_ns + bp->mono_to_real;
	e.pid = k->pid;
	e.tid = k->tid;
	e.uid = k->uid;
	e.netns = k->netns;
	e.cgroup_id = k->cgroup_id;
	e.cookie = k->cookie;
	memcpy(e.comm, k->comm, sizeof(e.comm));
	e.comm[sizeof(e.comm) - 1] = '\0';
	e.proto = k->proto;
	e.family = k->family;
	e.state = k->state;
	e.old_state = k->old_state;
	e.lport = k->lport;
	e.rport = k->rport;
	memcpy(e.laddr, k->laddr, sizeof(e.laddr));
	memcpy(e.raddr, k->raddr, sizeof(e.raddr));
	e.lifetime_ns = k->lifetime_ns;
	e.bytes_sent = k->bytes_sent;
	e.bytes_received = k->bytes_received;
	e.count = k->count;
	e.error = k->error;
	i = U64MAP_MISSING;
	if ((e.flags & EVF_NO_OWNER) && e.cookie)
		i = u64map_get(&bp->snap_cookies, e.cookie);
	if (i == U64MAP_MISSING && (e.flags & EVF_NO_OWNER) && (e.flags & EVF_PASSIVE))
		i = u64map_get(&bp->snap_listeners, listen_key(e.family, e.lport));
	if (i != U64MAP_MISSING) {
		o = &bp->snap_owners[i];
		e.pid = e.tid = o->pid;
		e.uid = o->uid;
		e.cgroup_id = o->cgroup_id;
		memcpy(e.comm, o->comm, sizeof(e.comm));
		e.flags = (e.flags & ~(uint32_t)EVF_NO_OWNER) | EVF_OWNER_SNAP;
	}
	ev_deliver(src, &e);
	return 0;
}

/* Events the kernel could not queue since the last look: one EV_LOST. */
static void
check_lost(struct ev_source *src)
{
	struct bpf_priv *bp = src->priv;
	struct port_event e;
	uint64_t sum = 0;
	uint32_t zero = 0;
	int i;

	if (bpf_map__lookup_elem(bp->skel->maps.lost, &zero, sizeof(zero), bp->lost_percpu,
	    sizeof(*bp->lost_percpu) * (size_t)bp->ncpus, 0) != 0)
		return;
	for (i = 0; i < bp->ncpus; i++)
		sum += bp->lost_percpu[i];
	if (sum <= bp->lost_seen)
		return;
	memset(&e, 0, sizeof(e));
	e.type = EV_LOST;
	e.mono_ns = clock_mono_ns();
	e.ts_ns = e.mono_ns + bp->mono_to_real;
	e.count = sum - bp->lost_seen;
	src->stats.lost += e.count;
	bp->lost_seen = sum;
	ev_deliver(src, &e);
}

static void bpf_close(struct ev_source *);

/* Our network namespace's cookie (SO_NETNS_COOKIE, Linux 5.14), or 0. */
static uint64_t
netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE_OPT, &cookie, &len) == -1)
		cookie = 0;
	close(fd);
	return cookie;
}

#define ATTACH(bp, prog, how, err, errlen)						\
	do {										\
		if (((bp)->skel->links.prog = (how)) == NULL) {				\
			snprintf(err, errlen, "cannot attach the %s program: %s",	\
			    #prog, strerror(errno));					\
			goto fail;							\
		}									\
	} while (0)

static int
bpf_open(struct ev_source *src, char *err, size_t errlen)
{
	const struct ev_filter *f = &src->filter;
	struct bpf_priv *bp = xcalloc(1, sizeof(*bp));
	struct snap_filter sf;
	struct snapshot snap;
	char cgpath[4096], why[256];
	struct events *s;
	int e;

	src->priv = bp;
	bp->cgfd = -1;
	libbpf_set_print(libbpf_print);
	if (geteuid() != 0) {
		snprintf(err, errlen, "event mode needs root");
		goto fail;
	}
	if (cgroup2_mount(cgpath, sizeof(cgpath), why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s", why);
		goto fail;
	}
	if ((bp->cgfd = open(cgpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open '%s': %s", cgpath, strerror(errno));
		goto fail;
	}
	if ((bp->skel = s = events__open()) == NULL) {
		snprintf(err, errlen, "cannot open the BPF programs: %s", strerror(errno));
		goto fail;
	}
	s->rodata->filt_port = (uint16_t)(f->port > 0 ? f->port : 0);
	s->rodata->filt_pid = f->pid > 0;
	s->rodata->filt_protos = (uint8_t)((f->protos & SD_TCP ? 1 : 0) |
	    (f->protos & SD_UDP ? 2 : 0));
	s->rodata->filt_families = (uint8_t)((f->families & SD_V4 ? 1 : 0) |
	    (f->families & SD_V6 ? 2 : 0));
	s->rodata->filt_types = (uint16_t)f->types;
	s->rodata->filt_netns = f->all_netns ? 0 : src->netns;
	s->rodata->filt_netns_cookie = f->all_netns ? 0 : netns_cookie();
	if (f->pid <= 0)
		bpf_program__set_autoload(s->progs.ev_fork, false);
	test_ringbuf_size(s);
	if ((e = events__load(s)) != 0) {
		snprintf(err, errlen, "cannot load the BPF programs: %s", strerror(-e));
		goto fail;
	}
	if (f->pid > 0) {
		ATTACH(bp, ev_fork, bpf_program__attach(s->progs.ev_fork), err, errlen);
		ev_family_scan(src, add_pid, bp);
	}
	ATTACH(bp, ev_post_bind4, bpf_program__attach_cgroup(s->progs.ev_post_bind4, bp->cgfd), err, errlen);
	ATTACH(bp, ev_post_bind6, bpf_program__attach_cgroup(s->progs.ev_post_bind6, bp->cgfd), err, errlen);
	ATTACH(bp, ev_connect4, bpf_program__attach_cgroup(s->progs.ev_connect4, bp->cgfd), err, errlen);
	ATTACH(bp, ev_connect6, bpf_program__attach_cgroup(s->progs.ev_connect6, bp->cgfd), err, errlen);
	ATTACH(bp, ev_sendmsg4, bpf_program__attach_cgroup(s->progs.ev_sendmsg4, bp->cgfd), err, errlen);
	ATTACH(bp, ev_sendmsg6, bpf_program__attach_cgroup(s->progs.ev_sendmsg6, bp->cgfd), err, errlen);
	ATTACH(bp, ev_sock_release, bpf_program__attach_cgroup(s->progs.ev_sock_release, bp->cgfd), err, errlen);
	ATTACH(bp, ev_set_state, bpf_program__attach(s->progs.ev_set_state), err, errlen);
	ATTACH(bp, ev_sys_exit, bpf_program__attach(s->progs.ev_sys_exit), err, errlen);
	bp->ncpus = libbpf_num_possible_cpus();
	if (bp->ncpus <= 0) {
		snprintf(err, errlen, "cannot count the CPUs: %s", strerror(-bp->ncpus));
		goto fail;
	}
	bp->lost_percpu = xcalloc((size_t)bp->ncpus, sizeof(*bp->lost_percpu));
	bp->rb = ring_buffer__new(bpf_map__fd(s->maps.events), on_record, src, NULL);
	if (bp->rb == NULL) {
		snprintf(err, errlen, "cannot map the ring buffer: %s", strerror(errno));
		goto fail;
	}
	/* Everything from now on is seen by the programs; what is already
	 * there comes from the snapshot. */
	ev_snap_filter(f, &sf);
	if (snapshot_take(&snap, &sf, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "cannot take the start-up snapshot: %s", why);
		goto fail;
	}
	keep_snapshot_owners(bp, &snap);
	ev_queue_existing(src, &snap);
	snapshot_release(&snap);
	bp->mono_to_real = clock_real_ns() - clock_mono_ns();
	return 0;
fail:
	bpf_close(src);
	return -1;
}

static int
bpf_fd(const struct ev_source *src)
{
	const struct bpf_priv *bp = src->priv;

	return ring_buffer__epoll_fd(bp->rb);
}

/* While records come, look again soon: the kernel does not wake us for
 * each (events.bpf.c); when quiet, the first record wakes us. */
static int
bpf_timeout_ms(const struct ev_source *src)
{
	const struct bpf_priv *bp = src->priv;

	return bp->busy ? EVK_READ_GAP_MS : LOSS_CHECK_MS;
}

static int
bpf_read(struct ev_source *src, char *err, size_t errlen)
{
	struct bpf_priv *bp = src->priv;
	int n;

	bp->mono_to_real = clock_real_ns() - clock_mono_ns();
	if ((n = ring_buffer__consume(bp->rb)) < 0 && n != -EINTR) {
		snprintf(err, errlen, "cannot read the ring buffer: %s", strerror(-n));
		return -1;
	}
	bp->busy = n > 0;
	check_lost(src);
	if (bp->bad_version) {
		snprintf(err, errlen, "the kernel programs write records of another "
		    "version (%d dropped)", bp->bad_version);
		return -1;
	}
	return 0;
}

static void
bpf_close(struct ev_source *src)
{
	struct bpf_priv *bp = src->priv;

	if (bp == NULL)
		return;
	ring_buffer__free(bp->rb);
	events__destroy(bp->skel);
	if (bp->cgfd != -1)
		close(bp->cgfd);
	if (bp->snap_cookies.keys)
		u64map_release(&bp->snap_cookies);
	if (bp->snap_listeners.keys)
		u64map_release(&bp->snap_listeners);
	free(bp->snap_owners);
	free(bp->lost_percpu);
	free(bp);
	src->priv = NULL;
}

#else	/* !HAVE_BPF */

static int
bpf_open(struct ev_source *src, char *err, size_t errlen)
{
	(void)src;
	snprintf(err, errlen, "this portscope was built without BPF support");
	return -1;
}

static int bpf_fd(const struct ev_source *src) { (void)src; return -1; }
static int bpf_timeout_ms(const struct ev_source *src) { (void)src; return -1; }

static int
bpf_read(struct ev_source *src, char *err, size_t errlen)
{
	(void)src;
	snprintf(err, errlen, "this portscope was built without BPF support");
	return -1;
}

static void bpf_close(struct ev_source *src) { (void)src; }

#endif

const struct ev_backend_ops ev_bpf_ops = {
	.name = "bpf",
	.open = bpf_open,
	.fd = bpf_fd,
	.timeout_ms = bpf_timeout_ms,
	.read = bpf_read,
	.close = bpf_close,
};
