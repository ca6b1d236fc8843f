/* libFuzzer harness: the FTP probe (probe_ftp.c), its greeting and the
 * replies to USER anonymous and PASS, each step fed the same bytes.  Seeds:
 * vsftpd's replies recorded with probe_talk -s, and crafted ones. */
#include "probe_fuzz.h"

extern const struct probe probe_ftp;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_probe(&probe_ftp, 3, data, size);
	return 0;
}
