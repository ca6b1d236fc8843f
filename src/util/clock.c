#include <time.h>

#include "util/clock.h"

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t clock_mono_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
uint64_t clock_real_ns(void) { return clock_ns(CLOCK_REALTIME); }
uint64_t clock_cpu_ns(void) { return clock_ns(CLOCK_PROCESS_CPUTIME_ID); }

uint64_t
clock_mono_to_real_ns(uint64_t mono_ns)
{
	uint64_t mono = clock_mono_ns(), real = clock_real_ns();

	return real - mono + mono_ns;
}

struct timespec
clock_ns_to_timespec(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};

	return ts;
}
