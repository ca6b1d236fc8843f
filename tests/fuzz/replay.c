/*
 * Replay driver for the fuzz harnesses: feeds every file of the corpus
 * directories (or files) given on the command line to
 * LLVMFuzzerTestOneInput, one TAP line per file.  A crash or sanitizer
 * report kills the process, which tests/run.sh counts as a failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	FILE *f;
	struct buf b;
	char chunk[4096];
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		printf("not ok - cannot open '%s'\n", path);
		return 1;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""), b.len);
	buf_release(&b);
	printf("ok - %s\n", path);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dirent **ents;
	struct stat st;
	char *path;
	int i, j, n, bad = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			printf("not ok - corpus '%s' is missing\n", argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += replay_file(argv[i]);
			continue;
		}
		if ((n = scandir(argv[i], &ents, NULL, alphasort)) < 0) {
			printf("not ok - cannot read '%s'\n", argv[i]);
			bad++;
			continue;
		}
		for (j = 0; j < n; j++) {
			if (ents[j]->d_name[0] != '.' &&
			    asprintf(&path, "%s/%s", argv[i], ents[j]->d_name) != -1) {
				bad += replay_file(path);
				free(path);
			}
			free(ents[j]);
		}
		free(ents);
	}
	return bad ? 1 : 0;
}
