/*
 * Local hours over a span: for each UTC hour, the instant in it where a
 * local hour begins (the offset's minutes past the hour, e.g. 30 for
 * +05:30), and that instant's local hour and date.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/tz.h"
#include "util/xmalloc.h"

#define NS		1000000000LL
#define HOUR_NS		(3600 * NS)

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void
add_name(struct tz_map *m, const struct tm *tm)
{
	const char *abbr = tm->tm_zone ? tm->tm_zone : "";
	int i;

	for (i = 0; i < m->nnames; i++)
		if (m->names[i].off == tm->tm_gmtoff && strcmp(m->names[i].abbr, abbr) == 0)
			return;
	if (m->nnames == TZ_NAMES)
		return;
	snprintf(m->names[m->nnames].abbr, sizeof(m->names[0].abbr), "%s", abbr);
	m->names[m->nnames].off = tm->tm_gmtoff;
	m->nnames++;
}

void
tz_map_name_at(struct tz_map *m, int64_t t)
{
	time_t sec = (time_t)floor_div(t, NS);
	struct tm tm;

	if (localtime_r(&sec, &tm))
		add_name(m, &tm);
}

void
tz_map_build(struct tz_map *m, int64_t t0, int64_t t1)
{
	int64_t h, h0 = floor_div(t0, HOUR_NS) - 1, h1 = floor_div(t1, HOUR_NS);
	time_t sec, b;
	struct tm tm;
	long into;

	free(m->v);
	m->n = 0;
	m->v = xcalloc((size_t)(h1 - h0 + 1), sizeof(*m->v));
	for (h = h0; h <= h1; h++) {
		sec = (time_t)(h * 3600);
		if (!localtime_r(&sec, &tm))
			continue;
		/* where in this UTC hour the local clock reads hh:00 */
		into = (3600 - tm.tm_gmtoff % 3600) % 3600;
		b = sec + into;
		if (into && !localtime_r(&b, &tm))
			continue;
		m->v[m->n].start = (int64_t)b * NS;
		m->v[m->n].hour = (int8_t)tm.tm_hour;
		m->v[m->n].day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
		m->n++;
		add_name(m, &tm);
	}
}

void
tz_map_find(const struct tz_map *m, int64_t t, int *hour, int32_t *day)
{
	int64_t k;

	*hour = 0;
	*day = 0;
	if (m->n == 0)
		return;
	k = floor_div(t - m->v[0].start, HOUR_NS);
	if (k < 0)
		k = 0;
	if (k >= (int64_t)m->n)
		k = (int64_t)m->n - 1;
	while (k > 0 && m->v[k].start > t)
		k--;
	while (k + 1 < (int64_t)m->n && m->v[k + 1].start <= t)
		k++;
	*hour = m->v[k].hour;
	*day = m->v[k].day;
}

void
tz_map_label(const struct tz_map *m, char *s, size_t len)
{
	size_t used = 0;
	long off;
	int i;

	s[0] = '\0';
	for (i = 0; i < m->nnames && used < len; i++) {
		off = m->names[i].off;
		used += (size_t)snprintf(s + used, len - used, "%s%s, %c%02ld%02ld",
		    i ? " / " : "", m->names[i].abbr, off < 0 ? '-' : '+',
		    labs(off) / 3600, labs(off) / 60 % 60);
	}
}

void
tz_map_release(struct tz_map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}
