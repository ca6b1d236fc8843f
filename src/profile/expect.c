/*
 * --expect FILE: the ports an application's documentation says it uses,
 * one a line ("tcp/443 connect", "udp/53 send", "tcp/8080 listen"),
 * against the ports it used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "profile/profile.h"
#include "util/strtonum.h"
#include "util/vec.h"

#define EXPECT_LINES_MAX	10000

/* One line into l.  Returns 0, or -1 with the reason in why. */
static int
parse_line(char *s, struct prof_expect_line *l, char *why, size_t whylen)
{
	char *spec, *dir, *extra, *slash, *save = NULL;
	const char *errstr;
	int d;

	spec = strtok_r(s, " \t", &save);
	dir = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (dir == NULL || extra != NULL || (slash = strchr(spec, '/')) == NULL) {
		snprintf(why, whylen, "give PROTO/PORT DIRECTION, as 'tcp/443 connect'");
		return -1;
	}
	*slash = '\0';
	if (strcmp(spec, "tcp") == 0)
		l->proto = IPPROTO_TCP;
	else if (strcmp(spec, "udp") == 0)
		l->proto = IPPROTO_UDP;
	else {
		snprintf(why, whylen, "bad protocol '%s': give tcp or udp", spec);
		return -1;
	}
	l->port = (uint16_t)strtonum(slash + 1, 1, 65535, &errstr);
	if (errstr) {
		snprintf(why, whylen, "bad port '%s': %s, give 1-65535", slash + 1, errstr);
		return -1;
	}
	for (d = 0; d < PD_NDIRS; d++)
		if (strcmp(dir, prof_dir_word((enum prof_dir)d)) == 0)
			break;
	if (d == PD_NDIRS) {
		snprintf(why, whylen, "bad direction '%s': give listen, bind, connect, "
		    "send or accept", dir);
		return -1;
	}
	l->dir = (enum prof_dir)d;
	return 0;
}

int
prof_expect_read(const char *path, struct prof_expect *x, char *err, size_t errlen)
{
	char line[512], why[160], *s, *hash;
	struct prof_expect_line l;
	int lineno = 0;
	size_t n;
	FILE *fp;

	memset(x, 0, sizeof(*x));
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		n = strlen(line);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "'%s' line %d: too long", path, lineno);
			goto fail;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0')
			continue;
		memset(&l, 0, sizeof(l));
		if (parse_line(s, &l, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "'%s' line %d: %s", path, lineno, why);
			goto fail;
		}
		if (x->n >= EXPECT_LINES_MAX) {
			snprintf(err, errlen, "'%s': more than %d lines", path, EXPECT_LINES_MAX);
			goto fail;
		}
		l.lineno = lineno;
		*VEC_PUSH(x) = l;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		goto fail;
	}
	fclose(fp);
	return 0;
fail:
	fclose(fp);
	VEC_FREE(x);
	return -1;
}

int
prof_expect_match(const struct prof_expect_line *l, const struct prof_port *r)
{
	if (l->proto != r->proto || l->port != r->port)
		return 0;
	switch (l->dir) {
	case PD_LISTEN:		/* a documented server port: listen, its accepts, a UDP bind */
		return r->dir == PD_LISTEN || r->dir == PD_ACCEPTED ||
		    (r->dir == PD_BIND && r->proto == IPPROTO_UDP);
	case PD_CONNECT:	/* "udp/53 connect" reads as sending to it */
		return r->dir == PD_CONNECT || (r->dir == PD_UDP_TO && r->proto == IPPROTO_UDP);
	default:
		return r->dir == l->dir;
	}
}

void
prof_expect_check(struct prof_expect *x, const struct profile *p)
{
	size_t i, j;

	for (i = 0; i < x->n; i++)
		for (j = 0; j < p->ports.n && !x->v[i].used; j++)
			if (prof_expect_match(&x->v[i], &p->ports.v[j]))
				x->v[i].used = 1;
}

int
prof_expect_documented(const struct prof_expect *x, const struct prof_port *r)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (prof_expect_match(&x->v[i], r))
			return 1;
	return 0;
}
