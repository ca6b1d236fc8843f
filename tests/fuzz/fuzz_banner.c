/* libFuzzer harness: the greeting-banner reader, multi-line (SMTP, FTP)
 * and single-line (POP3, IMAP). */
#include "probe_fuzz.h"

extern const struct probe probe_smtp, probe_imap;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_probe(&probe_smtp, 1, data, size);
	fuzz_probe(&probe_imap, 1, data, size);
	return 0;
}
