#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/logfile.h"
#include "util/clock.h"
#include "output/text.h"
#include "util/strtonum.h"

int
logfile_open(const char *path, int overwrite, char *err, size_t errlen)
{
	struct stat st;
	char answer[16];
	int fd, flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;

	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode) && overwrite) {
			snprintf(err, errlen, "cannot open log file '%s': it is a symbolic "
			    "link (not followed)", path);
			return -1;
		}
		if (!overwrite && !isatty(STDIN_FILENO)) {
			snprintf(err, errlen, "log file '%s' exists; use -y to overwrite it", path);
			return -1;
		}
		if (!overwrite) {
			fprintf(stderr, "Log file '%s' already exists. Overwrite? (y/n) ", path);
			fflush(stderr);
			if (fgets(answer, sizeof(answer), stdin) == NULL ||
			    (answer[0] != 'y' && answer[0] != 'Y')) {
				snprintf(err, errlen, "log file '%s' exists; not overwritten", path);
				return -1;
			}
		}
		flags |= O_TRUNC;
	} else
		flags |= O_EXCL;	/* it was not there: nothing may be planted since */
	if ((fd = open(path, flags, 0644)) == -1) {
		if (errno == ELOOP)
			snprintf(err, errlen, "cannot open log file '%s': it is a symbolic "
			    "link (not followed)", path);
		else if (errno == EEXIST)
			snprintf(err, errlen, "log file '%s' exists; use -y to overwrite it", path);
		else
			snprintf(err, errlen, "cannot open log file '%s': %s", path,
			    strerror(errno));
		return -1;
	}
	return fd;
}

int
logfile_close(int fd)
{
	int e = 0;

	if (fsync(fd) == -1 && errno != EINVAL && errno != EROFS)
		e = errno;
	if (close(fd) == -1 && e == 0)
		e = errno;
	errno = e;
	return e ? -1 : 0;
}

void
logfile_title(struct buf *b, int for_log)
{
	if (for_log)
		buf_printf(b, "portscope Version %s Log File\n\n",
		    PORTSCOPE_VERSION);
	else
		buf_printf(b, "portscope version %s\n\n", PORTSCOPE_VERSION);
}

/* The command line as run, from /proc/self/cmdline ("portscope -wport 80"). */
static void
command_run(struct buf *b)
{
	char data[4096];
	ssize_t n, i;
	int fd;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, data, sizeof(data));
	close(fd);
	for (i = 0; i < n; i++)
		if (data[i] == '\0')
			data[i] = i + 1 < n ? ' ' : '\0';
	if (n > 0 && data[n - 1] == ' ')
		n--;
	text_sanitize(b, data, n > 0 ? strnlen(data, (size_t)n) : 0, 0);
}

void
logfile_header(struct buf *b, const struct log_header *h)
{
	char host[256], interval[32], date[64] = "";
	time_t t = (time_t)(clock_real_ns() / NSEC_PER_SEC);
	struct tm tm;

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "(unknown)");
	host[sizeof(host) - 1] = '\0';
	if (localtime_r(&t, &tm) != NULL)
		strftime(date, sizeof(date), "%a %b %d %H:%M:%S %Y", &tm);
	buf_printf(b, "System Date: %s\n\nCommand run:\n ", date);
	command_run(b);
	buf_puts(b, "\n\nLocal computer name:\n\n ");
	text_sanitize(b, host, strlen(host), 0);
	buf_puts(b, "\n\n");
	if (h->watching) {
		text_sanitize(b, h->watching, strlen(h->watching), 0);
		buf_puts(b, "\n\n");
	}
	if (h->interval_ms > 0) {
		format_seconds_ms(interval, sizeof(interval), h->interval_ms);
		buf_printf(b, "Checking for changes every %s seconds\n\n", interval);
	}
	if (h->verbose)
		buf_puts(b, "verbose output requested\n\n");
}

void
logfile_end(struct buf *b)
{
	buf_puts(b, LOGFILE_END);
}

static volatile sig_atomic_t end_fd = -1;

static void
end_on_signal(int sig)
{
	static const char head[] = "(stopped by ", tail[] = ")\n" LOGFILE_END;
	const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" :
	    sig == SIGHUP ? "SIGHUP" : "SIGPIPE";
	int fd = end_fd, e = errno;

	if (fd >= 0) {
		end_fd = -1;
		(void)!write(fd, head, sizeof(head) - 1);
		(void)!write(fd, name, strlen(name));
		(void)!write(fd, tail, sizeof(tail) - 1);
	}
	errno = e;
	signal(sig, SIG_DFL);
	raise(sig);
}

void
logfile_end_on_signal(int fd)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;
	size_t i;

	end_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fd >= 0 ? end_on_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
