/*
 * sqlite_write_batch.c - the roll-ups and lifetime totals of migrations
 * 012, 014, 020, 021 and 027 kept by the ingest writer, once per touched
 * row per batch, instead of by the triggers once per aggregate row written
 * (docs/performance.md, "Ingest near the hardware", issue 18 item 4).
 *
 * While a batch stores new reports, this connection's triggers are off
 * (SQLITE_DBCONFIG_ENABLE_TRIGGER: it holds for this connection only, so
 * another process's ingest or a reader never sees a difference, and it
 * ends with the process). A trigger quieted by a WHEN on a flag row still
 * cost a sub-program frame per row, most of what it saved (measured in
 * docs/performance.md). Each aggregate upsert here is an INSERT that does
 * nothing on conflict, followed by an UPDATE when it did nothing, so it is
 * known whether it added a row (n_rows + 1) or changed one (+0), as 012's
 * triggers count. The same deltas the triggers would have written are
 * summed in memory per roll-up row and written once, and the triggers
 * turned back on (sqlite_batch_settle), before the batch commits and
 * before anything else in the transaction writes an aggregate or report
 * row (a conflict, a pick, a prune, a recount): those run with the
 * triggers, as before. A rollback drops the deltas with the rows.
 *
 * Only triggers this file knows are skipped: the batch starts only when
 * the schema's triggers are exactly batch_known_triggers (012, 014, 020,
 * 021, 027). A later migration that adds a trigger turns batching off, so
 * its roll-up stays exact, until it joins the batch: its table, key and
 * figures in batch_tables, its deltas in sqlite_batch_add_report, its
 * trigger names below. Input: the store's own report record (validated),
 * bound as parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "datetime.h"
#include "limits.h"
#include "sqlite_impl.h"
#include "xalloc.h"

/* The tables summed here: each key is a day (or none) and up to four
 * strings; each row carries up to four figures, n_rows first. */
enum batch_table {
	BT_ROLL_DOMAIN,
	BT_ROLL_ORG,
	BT_LIFE_DOMAIN,
	BT_ROLL_FAILURE,
	BT_LIFE_FAILURE,
	BT_ROLL_MX,
	BT_LIFE_MX,
	BT_ROLL_TYPE,
	BT_ROLL_REPORT_DAY,
	BT_ROLL_PRESENCE,
	/* migration 021: the day is the month's first (roll_day: the day) */
	BT_ROLL_DAY,
	BT_DOMAIN_MONTH,
	BT_ORG_MONTH,
	BT_FAILURE_MONTH,
	BT_AGG_FAILURE_MONTH,
	BT_MX_MONTH,
	BT_TYPE_MONTH,
	/* migration 027: the day is the year's first */
	BT_DOMAIN_YEAR,
	BT_ORG_YEAR,
	BT_FAILURE_YEAR,
	BT_AGG_FAILURE_YEAR,
	BT_MX_YEAR,
	BT_TYPE_YEAR,
	BT_ROLL_TRUST,
	BT_COUNT
};

#define BATCH_KEYS 4
#define BATCH_VALS 4

/* The upserts of the month and year tables (021, 027): the same columns,
 * day the month's or the year's first. */
#define BATCH_SQL_DOMAIN(table, key)                                                               \
	"INSERT INTO " table " (day, " key ", n_rows, reports, successful_sessions,"               \
	" failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (day, " key                 \
	") DO UPDATE SET"                                                                          \
	" n_rows = n_rows + excluded.n_rows, reports = reports + excluded.reports,"                \
	" successful_sessions = successful_sessions + excluded.successful_sessions,"               \
	" failed_sessions = failed_sessions + excluded.failed_sessions"
#define BATCH_SQL_FAILURE(table)                                                                   \
	"INSERT INTO " table                                                                       \
	" (day, policy_domain, mx_host, result_type, n_rows, failed_sessions)"                     \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (day, policy_domain, mx_host, result_type)"  \
	" DO UPDATE SET n_rows = n_rows + excluded.n_rows,"                                        \
	" failed_sessions = failed_sessions + excluded.failed_sessions"
#define BATCH_SQL_AGG_FAILURE(table)                                                               \
	"INSERT INTO " table " (day, policy_domain, organization, mx_host, result_type, n_rows,"   \
	" failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (day, policy_domain,"   \
	" organization, mx_host, result_type) DO UPDATE SET n_rows = n_rows + excluded.n_rows,"    \
	" failed_sessions = failed_sessions + excluded.failed_sessions"
#define BATCH_SQL_MX(table)                                                                        \
	"INSERT INTO " table " (day, policy_domain, mx_host, n_rows, failed_sessions)"             \
	" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (day, policy_domain, mx_host) DO UPDATE SET"     \
	" n_rows = n_rows + excluded.n_rows,"                                                      \
	" failed_sessions = failed_sessions + excluded.failed_sessions"
#define BATCH_SQL_TYPE(table)                                                                      \
	"INSERT INTO " table " (day, policy_domain, policy_type, n_rows, policies,"                \
	" successful_sessions, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"               \
	" ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET"                             \
	" n_rows = n_rows + excluded.n_rows, policies = policies + excluded.policies,"             \
	" successful_sessions = successful_sessions + excluded.successful_sessions,"               \
	" failed_sessions = failed_sessions + excluded.failed_sessions"

/* Each table's upsert: the day first (when it has one), the strings, then
 * the figures, each added to the stored row (or OR-ed, for bits). */
static const struct {
	int has_day;
	int n_keys;
	int n_vals;
	const char *sql;
	int is_or;
} batch_tables[BT_COUNT] = {
    [BT_ROLL_DOMAIN] = {1, 1, 4,
                        "INSERT INTO roll_domain (day, policy_domain, n_rows, reports,"
                        " successful_sessions, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                        " ON CONFLICT (day, policy_domain) DO UPDATE SET"
                        " n_rows = n_rows + excluded.n_rows, reports = reports + excluded.reports,"
                        " successful_sessions = successful_sessions + excluded.successful_sessions,"
                        " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_ROLL_ORG] = {1, 1, 4,
                     "INSERT INTO roll_org (day, organization, n_rows, reports,"
                     " successful_sessions, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                     " ON CONFLICT (day, organization) DO UPDATE SET"
                     " n_rows = n_rows + excluded.n_rows, reports = reports + excluded.reports,"
                     " successful_sessions = successful_sessions + excluded.successful_sessions,"
                     " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_LIFE_DOMAIN] = {0, 2, 4,
                        "INSERT INTO life_domain (policy_domain, organization, n_rows, reports,"
                        " successful_sessions, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                        " ON CONFLICT (policy_domain, organization) DO UPDATE SET"
                        " n_rows = n_rows + excluded.n_rows, reports = reports + excluded.reports,"
                        " successful_sessions = successful_sessions + excluded.successful_sessions,"
                        " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_ROLL_FAILURE] = {1, 3, 2,
                         "INSERT INTO roll_failure (day, policy_domain, mx_host, result_type,"
                         " n_rows, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                         " ON CONFLICT (day, policy_domain, mx_host, result_type) DO UPDATE SET"
                         " n_rows = n_rows + excluded.n_rows,"
                         " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_LIFE_FAILURE] = {0, 4, 2,
                         "INSERT INTO life_failure (policy_domain, organization, mx_host,"
                         " result_type, n_rows, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                         " ON CONFLICT (policy_domain, organization, mx_host, result_type)"
                         " DO UPDATE SET n_rows = n_rows + excluded.n_rows,"
                         " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_ROLL_MX] = {1, 2, 2,
                    "INSERT INTO roll_mx (day, policy_domain, mx_host, n_rows, failed_sessions)"
                    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (day, policy_domain, mx_host)"
                    " DO UPDATE SET n_rows = n_rows + excluded.n_rows,"
                    " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_LIFE_MX] = {0, 3, 2,
                    "INSERT INTO life_mx (policy_domain, organization, mx_host, n_rows,"
                    " failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5)"
                    " ON CONFLICT (policy_domain, organization, mx_host)"
                    " DO UPDATE SET n_rows = n_rows + excluded.n_rows,"
                    " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_ROLL_TYPE] = {1, 2, 4,
                      "INSERT INTO roll_type (day, policy_domain, policy_type, n_rows, policies,"
                      " successful_sessions, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                      " ON CONFLICT (day, policy_domain, policy_type) DO UPDATE SET"
                      " n_rows = n_rows + excluded.n_rows, policies = policies + excluded.policies,"
                      " successful_sessions = successful_sessions + excluded.successful_sessions,"
                      " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_ROLL_REPORT_DAY] =
        {1, 0, 1,
         "INSERT INTO roll_report_day (day, reports) VALUES (?1, ?2)"
         " ON CONFLICT (day) DO UPDATE SET reports = reports + excluded.reports"},
    /* migration 014: the day is the block's first day, the figure its bits */
    [BT_ROLL_PRESENCE] = {1, 2, 1,
                          "INSERT INTO roll_presence (first_day, policy_domain, organization,"
                          " days) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (first_day, policy_domain,"
                          " organization) DO UPDATE SET days = days | excluded.days",
                          1},
    [BT_ROLL_DAY] = {1, 0, 4,
                     "INSERT INTO roll_day (day, n_rows, reports, successful_sessions,"
                     " failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (day) DO UPDATE"
                     " SET n_rows = n_rows + excluded.n_rows, reports = reports + excluded.reports,"
                     " successful_sessions = successful_sessions + excluded.successful_sessions,"
                     " failed_sessions = failed_sessions + excluded.failed_sessions"},
    [BT_DOMAIN_MONTH] = {1, 1, 4, BATCH_SQL_DOMAIN("roll_domain_month", "policy_domain")},
    [BT_ORG_MONTH] = {1, 1, 4, BATCH_SQL_DOMAIN("roll_org_month", "organization")},
    [BT_FAILURE_MONTH] = {1, 3, 2, BATCH_SQL_FAILURE("roll_failure_month")},
    [BT_AGG_FAILURE_MONTH] = {1, 4, 2, BATCH_SQL_AGG_FAILURE("agg_failure_month")},
    [BT_MX_MONTH] = {1, 2, 2, BATCH_SQL_MX("roll_mx_month")},
    [BT_TYPE_MONTH] = {1, 2, 4, BATCH_SQL_TYPE("roll_type_month")},
    [BT_DOMAIN_YEAR] = {1, 1, 4, BATCH_SQL_DOMAIN("roll_domain_year", "policy_domain")},
    [BT_ORG_YEAR] = {1, 1, 4, BATCH_SQL_DOMAIN("roll_org_year", "organization")},
    [BT_FAILURE_YEAR] = {1, 3, 2, BATCH_SQL_FAILURE("roll_failure_year")},
    [BT_AGG_FAILURE_YEAR] = {1, 4, 2, BATCH_SQL_AGG_FAILURE("agg_failure_year")},
    [BT_MX_YEAR] = {1, 2, 2, BATCH_SQL_MX("roll_mx_year")},
    [BT_TYPE_YEAR] = {1, 2, 4, BATCH_SQL_TYPE("roll_type_year")},
    /* migration 020: reports per domain by provenance */
    [BT_ROLL_TRUST] = {1, 2, 2,
                       "INSERT INTO roll_trust (day, policy_domain, organization, verified,"
                       " unverified) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (policy_domain, day,"
                       " organization) DO UPDATE SET verified = verified + excluded.verified,"
                       " unverified = unverified + excluded.unverified"},
};

/* The aggregate upserts of sqlite_write.c, split in two so that the writer
 * knows whether a row was added: the INSERT does nothing when the row is
 * there, and then the UPDATE adds to it. */
enum batch_agg { BA_DOMAIN, BA_FAILURE, BA_MX, BA_TYPE, BA_COUNT };

static const char *const batch_agg_insert[BA_COUNT] = {
    [BA_DOMAIN] = "INSERT INTO agg_domain (day, policy_domain, organization, reports,"
                  " successful_sessions, failed_sessions) VALUES (?1, ?2, ?3, 1, ?4, ?5)"
                  " ON CONFLICT DO NOTHING",
    [BA_FAILURE] = "INSERT INTO agg_failure (day, policy_domain, organization, mx_host,"
                   " result_type, failed_sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                   " ON CONFLICT DO NOTHING",
    [BA_MX] = "INSERT INTO agg_mx (day, policy_domain, organization, mx_host, failed_sessions)"
              " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    [BA_TYPE] = "INSERT INTO agg_policy_type (day, policy_domain, organization, policy_type,"
                " policies, successful_sessions, failed_sessions)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
};

static const char *const batch_agg_update[BA_COUNT] = {
    [BA_DOMAIN] = "UPDATE agg_domain SET reports = reports + 1,"
                  " successful_sessions = successful_sessions + ?4,"
                  " failed_sessions = failed_sessions + ?5"
                  " WHERE day = ?1 AND policy_domain = ?2 AND organization = ?3",
    [BA_FAILURE] = "UPDATE agg_failure SET failed_sessions = failed_sessions + ?6"
                   " WHERE day = ?1 AND policy_domain = ?2 AND organization = ?3"
                   " AND mx_host = ?4 AND result_type = ?5",
    [BA_MX] = "UPDATE agg_mx SET failed_sessions = failed_sessions + ?5"
              " WHERE day = ?1 AND policy_domain = ?2 AND organization = ?3 AND mx_host = ?4",
    [BA_TYPE] = "UPDATE agg_policy_type SET policies = policies + ?5,"
                " successful_sessions = successful_sessions + ?6,"
                " failed_sessions = failed_sessions + ?7"
                " WHERE day = ?1 AND policy_domain = ?2 AND organization = ?3"
                " AND policy_type = ?4",
};

/* One roll-up row's delta in this batch. */
struct batch_row {
	enum batch_table table;
	int64_t day;
	const char *key[BATCH_KEYS];
	int64_t val[BATCH_VALS];
	uint64_t hash;
};

struct sqlite_rollup_batch {
	int deferred; /* 1: triggers off, deltas held, in the open transaction */
	int refused;  /* 1: the schema has a trigger not known here: no batching */
	struct arena *arena;
	struct batch_row **slot; /* open addressing, size a power of two */
	size_t n_slots, n_rows;
	sqlite3_stmt *upsert[BT_COUNT];
	sqlite3_stmt *agg_insert[BA_COUNT], *agg_update[BA_COUNT];
};

/* FNV-1a over the table, the day and the key strings (each ended by its
 * NUL, so ("ab","c") and ("a","bc") differ). */
static uint64_t batch_hash(enum batch_table t, int64_t day, const char *const *key, int n)
{
	uint64_t h = 1469598103934665603ULL;
	uint64_t d = (uint64_t)day;
	int i, b;

	h = (h ^ (uint64_t)t) * 1099511628211ULL;
	for (b = 0; b < 8; b++)
		h = (h ^ ((d >> (8 * b)) & 0xff)) * 1099511628211ULL;
	for (i = 0; i < n; i++) {
		const unsigned char *p = (const unsigned char *)key[i];

		do
			h = (h ^ *p) * 1099511628211ULL;
		while (*p++ != '\0');
	}
	return h;
}

static int batch_same(const struct batch_row *row, enum batch_table t, int64_t day,
                      const char *const *key, int n, uint64_t h)
{
	int i;

	if (row->hash != h || row->table != t || row->day != day)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(row->key[i], key[i]) != 0)
			return 0;
	return 1;
}

static void batch_clear(struct sqlite_rollup_batch *b)
{
	arena_free(b->arena);
	b->arena = NULL;
	free(b->slot);
	b->slot = NULL;
	b->n_slots = b->n_rows = 0;
}

static void batch_grow(struct sqlite_rollup_batch *b)
{
	size_t n = b->n_slots == 0 ? 1024 : b->n_slots * 2, i, j;
	struct batch_row **slot = xcalloc(n, sizeof(*slot));

	for (i = 0; i < b->n_slots; i++) {
		if (b->slot[i] == NULL)
			continue;
		for (j = b->slot[i]->hash & (n - 1); slot[j] != NULL; j = (j + 1) & (n - 1))
			;
		slot[j] = b->slot[i];
	}
	free(b->slot);
	b->slot = slot;
	b->n_slots = n;
}

/* Adds val[0..n_vals) to the row of table t at (day, key...). */
static void batch_add(struct sqlite_rollup_batch *b, enum batch_table t, int64_t day,
                      const char *const *key, const int64_t *val)
{
	int n = batch_tables[t].n_keys, i;
	uint64_t h = batch_hash(t, day, key, n);
	struct batch_row *row;
	size_t j;

	if (b->arena == NULL)
		b->arena = arena_new();
	if (2 * (b->n_rows + 1) > b->n_slots)
		batch_grow(b);
	for (j = h & (b->n_slots - 1); b->slot[j] != NULL; j = (j + 1) & (b->n_slots - 1)) {
		if (batch_same(b->slot[j], t, day, key, n, h))
			break;
	}
	if ((row = b->slot[j]) == NULL) {
		row = arena_calloc(b->arena, 1, sizeof(*row));
		row->table = t;
		row->day = day;
		row->hash = h;
		for (i = 0; i < n; i++)
			row->key[i] = arena_strdup(b->arena, key[i]);
		b->slot[j] = row;
		b->n_rows++;
	}
	for (i = 0; i < batch_tables[t].n_vals; i++) {
		if (batch_tables[t].is_or)
			row->val[i] |= val[i];
		else
			row->val[i] += val[i];
	}
}

static sqlite3_stmt *batch_stmt(struct sqlite_store *st, sqlite3_stmt **cache, const char *sql,
                                char *err, size_t errlen)
{
	if (*cache == NULL) {
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, cache, NULL) !=
		    SQLITE_OK) {
			sqlite_fail(st, err, errlen, "cannot prepare");
			return NULL;
		}
	} else {
		sqlite3_reset(*cache);
		sqlite3_clear_bindings(*cache);
	}
	return *cache;
}

/* Writes every delta of the batch, one upsert per touched row. */
static int batch_write(struct sqlite_store *st, char *err, size_t errlen)
{
	struct sqlite_rollup_batch *b = st->rollup_batch;
	size_t j;

	for (j = 0; j < b->n_slots; j++) {
		const struct batch_row *row = b->slot[j];
		sqlite3_stmt *s;
		int i, p = 1;

		if (row == NULL)
			continue;
		if ((s = batch_stmt(st, &b->upsert[row->table], batch_tables[row->table].sql, err,
		                    errlen)) == NULL)
			return -1;
		if (batch_tables[row->table].has_day)
			sqlite3_bind_int64(s, p++, row->day);
		for (i = 0; i < batch_tables[row->table].n_keys; i++)
			sqlite_bind_text(s, p++, row->key[i]);
		for (i = 0; i < batch_tables[row->table].n_vals; i++)
			sqlite3_bind_int64(s, p++, row->val[i]);
		if (sqlite_step_done(st, s, "cannot update the roll-ups", err, errlen) < 0)
			return -1;
	}
	batch_clear(b);
	return 0;
}

/* The triggers whose work sqlite_batch_add_report does, in name order:
 * every trigger of schema/012_rollups.sql, 014_presence.sql,
 * 020_trust_roll.sql and 021_month_rollups.sql. While triggers are off, the
 * writer's statements would fire only their INSERT and UPDATE ones on
 * agg_* and report; the rest fire on deletes and on the pruned tables,
 * which nothing writes before settling. */
static const char *const batch_known_triggers[] = {
    "agg_domain_del",
    "agg_domain_ins",
    "agg_domain_presence_del",
    "agg_domain_presence_ins",
    "agg_domain_presence_upd",
    "agg_domain_pruned_del",
    "agg_domain_pruned_ins",
    "agg_domain_pruned_upd",
    "agg_domain_upd",
    "agg_failure_del",
    "agg_failure_ins",
    "agg_failure_pruned_del",
    "agg_failure_pruned_ins",
    "agg_failure_pruned_upd",
    "agg_failure_upd",
    "agg_mx_del",
    "agg_mx_ins",
    "agg_mx_pruned_del",
    "agg_mx_pruned_ins",
    "agg_mx_pruned_upd",
    "agg_mx_upd",
    "agg_policy_type_del",
    "agg_policy_type_ins",
    "agg_policy_type_upd",
    "month_domain_del",
    "month_domain_ins",
    "month_domain_upd",
    "month_failure_del",
    "month_failure_ins",
    "month_failure_upd",
    "month_mx_del",
    "month_mx_ins",
    "month_mx_upd",
    "month_type_del",
    "month_type_ins",
    "month_type_upd",
    "policy_trust_del",
    "policy_trust_ins",
    "report_roll_del",
    "report_roll_ins",
    "report_roll_upd",
    "year_domain_del",
    "year_domain_ins",
    "year_domain_upd",
    "year_failure_del",
    "year_failure_ins",
    "year_failure_upd",
    "year_mx_del",
    "year_mx_ins",
    "year_mx_upd",
    "year_type_del",
    "year_type_ins",
    "year_type_upd",
};

#define BATCH_N_KNOWN (sizeof(batch_known_triggers) / sizeof(batch_known_triggers[0]))

/* 1 when the schema's triggers are exactly batch_known_triggers. */
static int batch_triggers_known(struct sqlite_store *st, int *known, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	size_t n = 0;
	int step, rc = -1;

	*known = 1;
	if (sqlite3_prepare_v2(
	        st->db, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name", -1,
	        &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read the triggers");
		goto out;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (n >= BATCH_N_KNOWN || name == NULL ||
		    strcmp(name, batch_known_triggers[n]) != 0)
			*known = 0;
		n++;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read the triggers");
		goto out;
	}
	if (n != BATCH_N_KNOWN)
		*known = 0;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Triggers of this connection on (on = 1) or off. */
static int batch_triggers(struct sqlite_store *st, int on, char *err, size_t errlen)
{
	if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, on, NULL) != SQLITE_OK)
		return sqlite_fail(st, err, errlen, "cannot switch the roll-up triggers");
	return 0;
}

int sqlite_batch_defer(struct sqlite_store *st, char *err, size_t errlen)
{
	struct sqlite_rollup_batch *b;
	int known;

	if (st->rollup_batch == NULL)
		st->rollup_batch = xcalloc(1, sizeof(*st->rollup_batch));
	b = st->rollup_batch;
	if (b->deferred || b->refused)
		return 0;
	if (batch_triggers_known(st, &known, err, errlen) < 0)
		return -1;
	if (!known) {
		b->refused = 1;
		return 0;
	}
	if (batch_triggers(st, 0, err, errlen) < 0)
		return -1;
	b->deferred = 1;
	return 0;
}

int sqlite_batch_deferred(const struct sqlite_store *st)
{
	return st->rollup_batch != NULL && st->rollup_batch->deferred;
}

int sqlite_batch_settle(struct sqlite_store *st, char *err, size_t errlen)
{
	struct sqlite_rollup_batch *b = st->rollup_batch;

	if (b == NULL || !b->deferred)
		return 0;
	/* on failure the caller rolls back: sqlite_batch_end */
	if (batch_write(st, err, errlen) < 0 || batch_triggers(st, 1, err, errlen) < 0)
		return -1;
	b->deferred = 0;
	return 0;
}

void sqlite_batch_end(struct sqlite_store *st)
{
	struct sqlite_rollup_batch *b = st->rollup_batch;

	if (b == NULL)
		return;
	batch_clear(b);
	if (b->deferred)
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, NULL);
	b->deferred = b->refused = 0;
}

void sqlite_batch_free(struct sqlite_store *st)
{
	struct sqlite_rollup_batch *b = st->rollup_batch;
	size_t i;

	if (b == NULL)
		return;
	batch_clear(b);
	for (i = 0; i < BT_COUNT; i++)
		sqlite3_finalize(b->upsert[i]);
	for (i = 0; i < BA_COUNT; i++) {
		sqlite3_finalize(b->agg_insert[i]);
		sqlite3_finalize(b->agg_update[i]);
	}
	free(b);
	st->rollup_batch = NULL;
}

/* The parameters of one aggregate upsert, ?1 onwards: the same for its
 * INSERT and its UPDATE. */
struct batch_param {
	int is_text;
	const char *text; /* may be NULL: bound as SQL NULL, which NOT NULL refuses */
	int64_t num;
};

#define BP_TEXT(s)                                                                                 \
	{                                                                                          \
		1, (s), 0                                                                          \
	}
#define BP_NUM(n)                                                                                  \
	{                                                                                          \
		0, NULL, (n)                                                                       \
	}

static void batch_bind(sqlite3_stmt *s, const struct batch_param *p, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (p[i].is_text)
			sqlite_bind_text(s, i + 1, p[i].text);
		else
			sqlite3_bind_int64(s, i + 1, p[i].num);
	}
}

/* One aggregate row written; *added says whether it made a new row. */
static int batch_agg_step(struct sqlite_store *st, enum batch_agg a, const struct batch_param *p,
                          int n, int *added, char *err, size_t errlen)
{
	struct sqlite_rollup_batch *b = st->rollup_batch;
	sqlite3_stmt *s;

	if ((s = batch_stmt(st, &b->agg_insert[a], batch_agg_insert[a], err, errlen)) == NULL)
		return -1;
	batch_bind(s, p, n);
	if (sqlite_step_done(st, s, "cannot update the aggregates", err, errlen) < 0)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	if (*added)
		return 0;
	if ((s = batch_stmt(st, &b->agg_update[a], batch_agg_update[a], err, errlen)) == NULL)
		return -1;
	batch_bind(s, p, n);
	return sqlite_step_done(st, s, "cannot update the aggregates", err, errlen);
}

/* Limits the memory of one batch's deltas: past LIMIT_ROLLUP_BATCH_ROWS
 * touched rows they are written, and the batch goes on. */
static int batch_bound(struct sqlite_store *st, char *err, size_t errlen)
{
	if (st->rollup_batch->n_rows < LIMIT_ROLLUP_BATCH_ROWS)
		return 0;
	return batch_write(st, err, errlen);
}

static int batch_domains(struct sqlite_store *st, const struct tally *t, int64_t day,
                         const char *org, char *err, size_t errlen)
{
	int64_t month = datetime_month_start(day), year = datetime_year_start(day);
	size_t i;
	int added;

	for (i = 0; i < t->n_domains; i++) {
		const char *pd = t->domains[i].policy_domain;
		const struct batch_param p[] = {BP_NUM(day), BP_TEXT(pd), BP_TEXT(org),
		                                BP_NUM(t->domains[i].successful_sessions),
		                                BP_NUM(t->domains[i].failed_sessions)};
		int64_t v[4], bit = (int64_t)1 << (day % 32);

		if (batch_agg_step(st, BA_DOMAIN, p, 5, &added, err, errlen) < 0)
			return -1;
		/* the row now has reports > 0: its presence bit is set */
		batch_add(st->rollup_batch, BT_ROLL_PRESENCE, day - day % 32,
		          (const char *[]){pd, org}, &bit);
		v[0] = added;
		v[1] = 1;
		v[2] = t->domains[i].successful_sessions;
		v[3] = t->domains[i].failed_sessions;
		batch_add(st->rollup_batch, BT_ROLL_DOMAIN, day, (const char *[]){pd}, v);
		batch_add(st->rollup_batch, BT_ROLL_ORG, day, (const char *[]){org}, v);
		batch_add(st->rollup_batch, BT_LIFE_DOMAIN, 0, (const char *[]){pd, org}, v);
		batch_add(st->rollup_batch, BT_ROLL_DAY, day, NULL, v);
		batch_add(st->rollup_batch, BT_DOMAIN_MONTH, month, (const char *[]){pd}, v);
		batch_add(st->rollup_batch, BT_ORG_MONTH, month, (const char *[]){org}, v);
		batch_add(st->rollup_batch, BT_DOMAIN_YEAR, year, (const char *[]){pd}, v);
		batch_add(st->rollup_batch, BT_ORG_YEAR, year, (const char *[]){org}, v);
	}
	return 0;
}

static int batch_failures(struct sqlite_store *st, const struct tally *t, int64_t day,
                          const char *org, char *err, size_t errlen)
{
	int64_t month = datetime_month_start(day), year = datetime_year_start(day);
	size_t i;
	int added;

	for (i = 0; i < t->n_failures; i++) {
		const char *pd = t->failures[i].policy_domain, *mx = t->failures[i].mx_host;
		const char *rt = t->failures[i].result_type;
		const struct batch_param p[] = {
		    BP_NUM(day), BP_TEXT(pd), BP_TEXT(org),
		    BP_TEXT(mx), BP_TEXT(rt), BP_NUM(t->failures[i].failed_sessions)};
		int64_t v[2];

		if (batch_agg_step(st, BA_FAILURE, p, 6, &added, err, errlen) < 0)
			return -1;
		v[0] = added;
		v[1] = t->failures[i].failed_sessions;
		batch_add(st->rollup_batch, BT_ROLL_FAILURE, day, (const char *[]){pd, mx, rt}, v);
		batch_add(st->rollup_batch, BT_LIFE_FAILURE, 0, (const char *[]){pd, org, mx, rt},
		          v);
		batch_add(st->rollup_batch, BT_FAILURE_MONTH, month, (const char *[]){pd, mx, rt},
		          v);
		batch_add(st->rollup_batch, BT_AGG_FAILURE_MONTH, month,
		          (const char *[]){pd, org, mx, rt}, v);
		batch_add(st->rollup_batch, BT_FAILURE_YEAR, year, (const char *[]){pd, mx, rt}, v);
		batch_add(st->rollup_batch, BT_AGG_FAILURE_YEAR, year,
		          (const char *[]){pd, org, mx, rt}, v);
	}
	for (i = 0; i < t->n_mxs; i++) {
		const char *pd = t->mxs[i].policy_domain, *mx = t->mxs[i].mx_host;
		const struct batch_param p[] = {BP_NUM(day), BP_TEXT(pd), BP_TEXT(org), BP_TEXT(mx),
		                                BP_NUM(t->mxs[i].failed_sessions)};
		int64_t v[2];

		if (batch_agg_step(st, BA_MX, p, 5, &added, err, errlen) < 0)
			return -1;
		v[0] = added;
		v[1] = t->mxs[i].failed_sessions;
		batch_add(st->rollup_batch, BT_ROLL_MX, day, (const char *[]){pd, mx}, v);
		batch_add(st->rollup_batch, BT_LIFE_MX, 0, (const char *[]){pd, org, mx}, v);
		batch_add(st->rollup_batch, BT_MX_MONTH, month, (const char *[]){pd, mx}, v);
		batch_add(st->rollup_batch, BT_MX_YEAR, year, (const char *[]){pd, mx}, v);
	}
	return 0;
}

static int batch_types(struct sqlite_store *st, const struct tally *t, int64_t day, const char *org,
                       char *err, size_t errlen)
{
	int64_t month = datetime_month_start(day), year = datetime_year_start(day);
	size_t i;
	int added;

	for (i = 0; i < t->n_types; i++) {
		const char *pd = t->types[i].policy_domain, *pt = t->types[i].policy_type;
		const struct batch_param p[] = {BP_NUM(day),
		                                BP_TEXT(pd),
		                                BP_TEXT(org),
		                                BP_TEXT(pt),
		                                BP_NUM(t->types[i].policies),
		                                BP_NUM(t->types[i].successful_sessions),
		                                BP_NUM(t->types[i].failed_sessions)};
		int64_t v[4];

		if (batch_agg_step(st, BA_TYPE, p, 7, &added, err, errlen) < 0)
			return -1;
		v[0] = added;
		v[1] = t->types[i].policies;
		v[2] = t->types[i].successful_sessions;
		v[3] = t->types[i].failed_sessions;
		batch_add(st->rollup_batch, BT_ROLL_TYPE, day, (const char *[]){pd, pt}, v);
		batch_add(st->rollup_batch, BT_TYPE_MONTH, month, (const char *[]){pd, pt}, v);
		batch_add(st->rollup_batch, BT_TYPE_YEAR, year, (const char *[]){pd, pt}, v);
	}
	return 0;
}

/* 020's triggers: the report once per policy domain it names ("" for a
 * policy without one), verified or unverified by its provenance. */
static void batch_trust(struct sqlite_store *st, const struct report *r, int64_t day,
                        const char *provenance)
{
	int unverified = provenance != NULL && strcmp(provenance, "unverified-mail") == 0;
	int64_t v[2] = {!unverified, unverified};
	size_t i, j;

	for (i = 0; i < r->n_policies; i++) {
		const char *pd =
		    r->policies[i].policy_domain != NULL ? r->policies[i].policy_domain : "";

		for (j = 0; j < i; j++)
			if (strcmp(pd, r->policies[j].policy_domain != NULL
			                   ? r->policies[j].policy_domain
			                   : "") == 0)
				break;
		if (j == i)
			batch_add(st->rollup_batch, BT_ROLL_TRUST, day,
			          (const char *[]){pd, r->organization_name}, v);
	}
}

int sqlite_batch_add_report(struct sqlite_store *st, const struct report_record *rec,
                            const char *provenance, char *err, size_t errlen)
{
	const struct report *r = rec->r;
	const char *org = r->organization_name;
	int64_t day = report_day(r), one = 1;

	batch_add(st->rollup_batch, BT_ROLL_REPORT_DAY, rec->day, NULL, &one);
	batch_trust(st, r, rec->day, provenance);
	if (batch_domains(st, &rec->tally, day, org, err, errlen) < 0 ||
	    batch_failures(st, &rec->tally, day, org, err, errlen) < 0 ||
	    batch_types(st, &rec->tally, day, org, err, errlen) < 0)
		return -1;
	return batch_bound(st, err, errlen);
}
