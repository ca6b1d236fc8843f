/*
 * The one clock: every time stamp and interval in portscope comes from
 * here.  Monotonic time measures intervals and deadlines; real time is only
 * for printing and for converting a monotonic stamp (such as the kernel's
 * bpf_ktime_get_ns(), which is CLOCK_MONOTONIC) to a wall-clock date.
 */
#ifndef UTIL_CLOCK_H
#define UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL

uint64_t	clock_mono_ns(void);	/* CLOCK_MONOTONIC */
uint64_t	clock_real_ns(void);	/* CLOCK_REALTIME, since the epoch */
uint64_t	clock_cpu_ns(void);	/* CLOCK_PROCESS_CPUTIME_ID */

/* Wall-clock nanoseconds for a CLOCK_MONOTONIC stamp, using the offset
 * between the two clocks measured now. */
uint64_t	clock_mono_to_real_ns(uint64_t mono_ns);

/* A struct timespec for ns nanoseconds. */
struct timespec	clock_ns_to_timespec(uint64_t ns);

#endif
