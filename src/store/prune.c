/*
 * Volume control: delete what is older than --retain, or the oldest data
 * while the file is over --max-size, and give the space back to the file
 * system (auto_vacuum = INCREMENTAL, then a WAL checkpoint that truncates).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_impl.h"

uint64_t
store_size(struct store *s)
{
	char wal[4096];
	struct stat sb;
	int64_t pages = store_int(s, "PRAGMA page_count");
	int64_t psize = store_int(s, "PRAGMA page_size");
	uint64_t size = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize : 0;

	snprintf(wal, sizeof(wal), "%s-wal", s->path);
	if (stat(wal, &sb) == 0)
		size += (uint64_t)sb.st_size;
	return size;
}

/* Run one DELETE with ?1 = before; add the rows it removed to *n. */
static int
delete_before(struct store *s, const char *sql, uint64_t before, uint64_t *n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)s->run_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	*n += (uint64_t)sqlite3_changes(s->db);
	return 0;
}

/* Delete everything older than before in one transaction. */
static int
prune_before(struct store *s, uint64_t before, struct store_pruned *out,
    char *err, size_t errlen)
{
	uint64_t modules = 0;

	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) == -1)
		return -1;
	if (delete_before(s, "DELETE FROM events WHERE ts < ?1", before, &out->events) == -1 ||
	    delete_before(s, "DELETE FROM intervals WHERE closed IS NOT NULL AND "
	    "closed < ?1", before, &out->intervals) == -1 ||
	    delete_before(s, "DELETE FROM processes WHERE last_seen < ?1 AND "
	    "?2 > 0 AND id NOT IN (SELECT process_id FROM intervals "
	    "WHERE process_id IS NOT NULL)", before, &out->processes) == -1 ||
	    delete_before(s, "DELETE FROM process_modules WHERE process_id NOT IN "
	    "(SELECT id FROM processes) AND ?1 >= 0", before, &modules) == -1 ||
	    delete_before(s, "DELETE FROM module_paths WHERE id NOT IN "
	    "(SELECT path_id FROM process_modules) AND ?1 >= 0", before, &modules) == -1 ||
	    delete_before(s, "DELETE FROM runs WHERE stopped IS NOT NULL AND "
	    "stopped < ?1 AND id != ?2", before, &out->runs) == -1) {
		store_fail(s, "cannot prune", err, errlen);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (store_exec(s, "COMMIT", err, errlen) == -1) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	out->before_ns = before;
	return 0;
}

/* Give free pages back and shrink the WAL. */
static void
give_back(struct store *s)
{
	sqlite3_exec(s->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

int
store_prune_age(struct store *s, uint64_t before_ns, struct store_pruned *out,
    char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->bytes_before = store_size(s);
	if (prune_before(s, before_ns, out, err, errlen) == -1)
		return -1;
	if (out->events || out->intervals || out->processes)
		give_back(s);
	out->bytes_after = store_size(s);
	return 0;
}

int
store_prune_size(struct store *s, uint64_t max_bytes, struct store_pruned *out,
    char *err, size_t errlen)
{
	int64_t n, cut;
	char sql[160];
	int round;
	uint64_t gone;

	memset(out, 0, sizeof(*out));
	out->bytes_before = out->bytes_after = store_size(s);
	for (round = 0; round < 64 && out->bytes_after > max_bytes; round++) {
		/* the time below which a tenth of the events lie; with no
		 * events left, the oldest closed interval */
		if ((n = store_int(s, "SELECT count(*) FROM events")) > 0) {
			snprintf(sql, sizeof(sql), "SELECT ts FROM events ORDER BY ts "
			    "LIMIT 1 OFFSET %lld", (long long)(n / 10));
			cut = store_int(s, sql) + 1;
		} else
			cut = store_int(s, "SELECT min(closed) FROM intervals") + 1;
		if (cut <= 1)
			break;
		gone = out->events + out->intervals;
		if (prune_before(s, (uint64_t)cut, out, err, errlen) == -1)
			return -1;
		if (out->events + out->intervals == gone)
			break;	/* nothing older left to delete */
		give_back(s);
		out->bytes_after = store_size(s);
	}
	return 0;
}
