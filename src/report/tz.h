/*
 * The report's hours and days in the local time zone (TZ, as the C
 * library reads it; `report --utc` sets TZ to UTC): the boundaries of the
 * local hours over a span of time, computed once per hour with
 * localtime_r, so that every interval is bucketed by a lookup (no
 * localtime call per interval) and a change of offset (daylight saving
 * time) falls where it does.  A zone whose offset changes in the middle
 * of one of its hours is bucketed by the offset at the hour's start.
 */
#ifndef REPORT_TZ_H
#define REPORT_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz_hour {
	int64_t		 start;		/* ns since the epoch: a local hour begins */
	int32_t		 day;		/* its local date, yyyymmdd */
	int8_t		 hour;		/* its local hour, 0-23 */
};

#define TZ_NAMES	8

struct tz_map {
	struct tz_hour	*v;
	size_t		 n;
	/* the zone's names and offsets seen ("CET", 3600), at most TZ_NAMES */
	struct { char abbr[16]; long off; } names[TZ_NAMES];
	int		 nnames;
};

/* The local hours from the one t0 falls in to the one t1 falls in (t0 <=
 * t1, ns), and the zone's names in that span added to m's (a zeroed
 * struct at first). */
void	tz_map_build(struct tz_map *, int64_t t0, int64_t t1);
/* Add the zone's name and offset at t (ns) to the names, if new. */
void	tz_map_name_at(struct tz_map *, int64_t t);
/* The local hour and date (yyyymmdd) of t, which must be within the span
 * built. */
void	tz_map_find(const struct tz_map *, int64_t t, int *hour, int32_t *day);
/* The names as "CET, +0100" (several joined by " / "), into s. */
void	tz_map_label(const struct tz_map *, char *s, size_t len);
void	tz_map_release(struct tz_map *);

#endif
