/* libFuzzer harness: the tftp probe's reply parser. */
#include "probe_fuzz.h"

extern const struct probe probe_tftp;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_probe(&probe_tftp, 1, data, size);
	return 0;
}
