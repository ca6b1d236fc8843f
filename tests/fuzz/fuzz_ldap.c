/* libFuzzer harness: the LDAP (TCP stream) and CLDAP (datagram) parsers,
 * and through them the BER reader. */
#include "probe_fuzz.h"

extern const struct probe probe_ldap, probe_cldap;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_probe(&probe_ldap, 1, data, size);
	fuzz_probe(&probe_cldap, 1, data, size);
	return 0;
}
