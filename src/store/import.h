/* Reading what `record --jsonl` streamed back into a record database. */
#ifndef STORE_IMPORT_H
#define STORE_IMPORT_H

#include <stddef.h>

/*
 * Write the events of the JSON Lines files into a new record database at
 * dbpath (through the store's writer: intervals by record's rules), as one
 * run from the first event to the last, labelled with hostname host.
 * Returns 0, or -1 with the reason in err ("'f' line 7: not an event of
 * record --jsonl", "cannot open 'f': reason").
 */
int	store_import_jsonl(const char *dbpath, const char *host, const char *const *files,
	    size_t nfiles, char *err, size_t errlen);

#endif
