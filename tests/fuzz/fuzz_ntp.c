/* libFuzzer harness: the ntp probe's reply parser. */
#include "probe_fuzz.h"

extern const struct probe probe_ntp;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_probe(&probe_ntp, 1, data, size);
	return 0;
}
