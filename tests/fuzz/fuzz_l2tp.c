/* libFuzzer harness: the l2tp probe's reply parser. */
#include "probe_fuzz.h"

extern const struct probe probe_l2tp;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_probe(&probe_l2tp, 1, data, size);
	return 0;
}
