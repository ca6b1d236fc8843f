/*
 * Reading record databases, for `report`: one or several files (several
 * machines) opened read-only and seen through one set of temporary views
 * that carry each row's host: files with one machine id (meta.machine_id)
 * are one host, named by the first one's hostname; machines of one
 * hostname are told apart as "hostname (first 8 digits of the id)"; a file
 * without a machine id is its hostname (see make_labels in reader.c).
 * Process ids are unique across files in the views:
 *
 *   all_runs       (host, runs.*)
 *   all_intervals  (host, intervals.* and, from the interval's process:
 *                   exe, user, unit, container, cmdline; and run_end, when
 *                   the interval's run stopped or last committed)
 *   all_processes  (host, processes.*)
 *   all_events     (host, events.* and the process's exe and user)
 *
 * A reader never writes the files and never migrates them: a file of
 * another schema version than STORE_SCHEMA_VERSION is refused.  Queries
 * run through store_query() and hand rows back one at a time; the caller
 * never sees SQLite's types.
 */
#ifndef STORE_READER_H
#define STORE_READER_H

#include <stddef.h>
#include <stdint.h>

struct store_reader;
struct store_rows;

/* A value bound to ?N of a query: text when s is not NULL, else i. */
struct store_arg {
	const char	*s;
	int64_t		 i;
};

/*
 * Open the n databases in paths read-only and make the views above.
 * Returns the reader, or NULL with the reason in err ("cannot open 'x':
 * reason", "'x': schema version 2, this portscope reads version 1", "'x':
 * not a portscope record database").
 */
struct store_reader *store_reader_open(const char *const *paths, size_t n,
	    char *err, size_t errlen);

/* Run sql (no rows wanted), e.g. CREATE TEMP TABLE … AS SELECT.  Returns
 * 0, or -1 with the reason in err. */
int	store_exec_sql(struct store_reader *, const char *sql,
	    const struct store_arg *args, size_t nargs, char *err, size_t errlen);

/* Prepare sql with args bound to ?1..?nargs.  Returns the rows to step
 * through with store_rows_next(), or NULL with the reason in err. */
struct store_rows *store_query(struct store_reader *, const char *sql,
	    const struct store_arg *args, size_t nargs, char *err, size_t errlen);

/* Step to the next row: 1 a row, 0 no more, -1 failure (reason in err). */
int	store_rows_next(struct store_rows *, char *err, size_t errlen);
int	store_rows_isnull(struct store_rows *, int col);
int64_t	store_rows_int(struct store_rows *, int col);
double	store_rows_real(struct store_rows *, int col);
/* The column as text, NULL for NULL; valid until the next step. */
const char *store_rows_text(struct store_rows *, int col);
/* The length in bytes of the column as text (after store_rows_text). */
size_t	store_rows_bytes(struct store_rows *, int col);
void	store_rows_free(struct store_rows *);

/* Number of distinct hosts (labels, as above) and each one, in the order
 * of the files that first have them. */
size_t	store_reader_nhosts(const struct store_reader *);
const char *store_reader_host(const struct store_reader *, size_t i);
/* Number of files, and the host (label, as above) of file i. */
size_t	store_reader_nfiles(const struct store_reader *);
const char *store_reader_file_host(const struct store_reader *, size_t i);
/* The schema name file i is attached as ("h0", "h1", …), for queries that
 * read one file's tables (h0.intervals) rather than the views. */
const char *store_reader_schema(const struct store_reader *, size_t i);

void	store_reader_close(struct store_reader *);

#endif
