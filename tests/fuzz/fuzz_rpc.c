/* libFuzzer harness: the RPC endpoint mapper's reply parsers, over TCP
 * (connection-oriented) and UDP (connectionless). */
#include "probe_fuzz.h"

extern const struct probe probe_rpc, probe_rpc_udp;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_probe(&probe_rpc, 3, data, size);
	fuzz_probe(&probe_rpc_udp, 2, data, size);
	return 0;
}
