#include <stdint.h>
#include <stdlib.h>

#include "util/vec.h"
#include "util/xmalloc.h"

void
vec_reserve_(void **v, size_t *cap, size_t want, size_t size)
{
	size_t ncap;

	if (want <= *cap)
		return;
	ncap = *cap ? *cap : 8;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2)
			ncap = want;
		else
			ncap *= 2;
	}
	*v = xreallocarray(*v, ncap, size);
	*cap = ncap;
}
