/* libFuzzer harness: the mssql probe's reply parser. */
#include "probe_fuzz.h"

extern const struct probe probe_mssql;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_probe(&probe_mssql, 1, data, size);
	return 0;
}
