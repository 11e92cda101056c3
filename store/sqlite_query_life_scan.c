/*
 * sqlite_query_life_scan.c - the lifetime totals /metrics reads
 * (query_lifetime in query.h) in one pass over a life_* table in its key
 * order. The coarser label sets group the rows here: a group's leading
 * keys (the domain, and the organisation) come in runs, and the key that
 * does not (result type, MX host) is sorted within its run. The limit's
 * series that sort first (most failed) are kept in a bounded heap, so
 * only they are copied, and the series are counted on the way.
 * SQLite's GROUP BY and ORDER BY ... LIMIT did the same with a count
 * apart and a sorter insert per row: 2.5 times the CPU at 10M reports
 * (docs/performance.md); TLSWATCH_NO_METRICS_SCAN=1 still reads that way
 * (sqlite_query_life.c), so that the tests can compare the two. Rows hold
 * report text (untrusted): copied, and compared bytewise as SQLite's
 * BINARY collation compares them (the text holds no NUL: core/report.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "sqlite_impl.h"
#include "xalloc.h"

/* Key columns: 0 policy_domain, 1 organization, 2 mx_host, 3
 * result_type. */
#define LIFE_KEYS 4

/* How one family and label set reads its table: the statement (the four
 * key columns, '' where the table has none, then reports, successful,
 * failed; in key order), the key columns a series keeps (bits), the
 * leading ones that come in runs (bits: the domain, and the
 * organisation), and the one grouped within a run (-1: none). A label
 * set that keeps the table's whole key makes each row a series. */
struct life_shape {
	const char *sql;
	unsigned keep, run;
	int sub, whole;
};

static const char life_sql_domain[] =
    "SELECT policy_domain, organization, '', '', reports, successful_sessions,"
    " failed_sessions FROM life_domain ORDER BY policy_domain, organization";
static const char life_sql_failure[] =
    "SELECT policy_domain, organization, mx_host, result_type, 0, 0, failed_sessions"
    " FROM life_failure ORDER BY policy_domain, organization, mx_host, result_type";
static const char life_sql_mx[] = "SELECT policy_domain, organization, mx_host, '', 0, 0,"
                                  " failed_sessions FROM life_mx"
                                  " ORDER BY policy_domain, organization, mx_host";

static const struct life_shape life_shapes[3][3] =
    {
        [QUERY_LIFE_DOMAIN] =
            {
                [QUERY_LABELS_DOMAIN] = {life_sql_domain, 0x1, 0x1, -1, 0},
                [QUERY_LABELS_DOMAIN_ORG] = {life_sql_domain, 0x3, 0x3, -1, 1},
                [QUERY_LABELS_FULL] = {life_sql_domain, 0x3, 0x3, -1, 1},
            },
        [QUERY_LIFE_FAILURE] =
            {
                [QUERY_LABELS_DOMAIN] = {life_sql_failure, 0x9, 0x1, 3, 0},
                [QUERY_LABELS_DOMAIN_ORG] = {life_sql_failure, 0xb, 0x3, 3, 0},
                [QUERY_LABELS_FULL] = {life_sql_failure, 0xf, 0xf, -1, 1},
            },
        [QUERY_LIFE_MX] =
            {
                [QUERY_LABELS_DOMAIN] = {life_sql_mx, 0x5, 0x1, 2, 0},
                [QUERY_LABELS_DOMAIN_ORG] = {life_sql_mx, 0x7, 0x7, -1, 1},
                [QUERY_LABELS_FULL] = {life_sql_mx, 0x7, 0x7, -1, 1},
            },
};

/* A series: its keys (NULL: not kept, or ""), its figures, and its place
 * in the order of the keys (series come in that order: the table's, and
 * a run's grouped key sorted). */
struct life_series {
	const char *key[LIFE_KEYS];
	int64_t reports, successful, failed;
	size_t seq;
};

/* One row of a run: the offset of its grouped key in the run's text, and
 * its figures; key points into the text once the run is complete. */
struct life_part {
	size_t off;
	const char *key;
	int64_t reports, successful, failed;
};

struct life_scan {
	const struct life_shape *shape;
	size_t limit, n_series;
	/* kept series, a heap whose root sorts last; keys owned */
	struct life_series *heap;
	size_t n_heap, alloc_heap;
	/* the current run: its leading keys (owned), its rows, their text */
	char *run_key[2];
	int in_run;
	struct life_part *parts;
	size_t n_parts, alloc_parts;
	char *text;
	size_t text_len, text_alloc;
};

/* The order of query_lifetime: most failed first, then most successful,
 * then the keys (their order is that of seq, an integer compare). <0 when
 * a sorts before b. */
static int life_order(const struct life_series *a, const struct life_series *b)
{
	if (a->failed != b->failed)
		return a->failed > b->failed ? -1 : 1;
	if (a->successful != b->successful)
		return a->successful > b->successful ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int life_order_qsort(const void *a, const void *b)
{
	return life_order(a, b);
}

static void life_series_free(struct life_series *s)
{
	int i;

	for (i = 0; i < LIFE_KEYS; i++)
		free((char *)s->key[i]);
}

/* A copy of c's kept keys ("" as NULL) and figures, the seq-th series. */
static void life_series_copy(struct life_series *dst, const struct life_series *c, size_t seq)
{
	int i;

	*dst = *c;
	dst->seq = seq;
	for (i = 0; i < LIFE_KEYS; i++)
		dst->key[i] = c->key[i] != NULL && c->key[i][0] != '\0' ? xstrdup(c->key[i]) : NULL;
}

static void life_heap_swap(struct life_series *a, struct life_series *b)
{
	struct life_series t = *a;

	*a = *b;
	*b = t;
}

/* 1 when a series with these figures, coming after every series offered
 * so far, cannot be among the limit's first: the heap is full and its
 * root sorts before it (a tie of the figures goes to the root, whose keys
 * came first). */
static int life_past(const struct life_scan *sc, int64_t successful, int64_t failed)
{
	const struct life_series *r;

	if (sc->heap == NULL || sc->n_heap < sc->limit)
		return 0;
	r = &sc->heap[0];
	return failed < r->failed || (failed == r->failed && successful <= r->successful);
}

/* Counts c, a series whose keys are borrowed and sort after those of
 * every series offered before, and keeps a copy when it is among the
 * limit's first so far (the root, the last of them, makes room). */
static void life_offer(struct life_scan *sc, const struct life_series *c)
{
	struct life_series *h;
	size_t i, k, n;

	if (life_past(sc, c->successful, c->failed)) {
		sc->n_series++;
		return;
	}
	if (sc->n_heap < sc->limit) {
		if (sc->n_heap == sc->alloc_heap) {
			sc->alloc_heap = sc->alloc_heap ? sc->alloc_heap * 2 : 256;
			sc->heap = xreallocarray(sc->heap, sc->alloc_heap, sizeof(*sc->heap));
		}
		h = sc->heap;
		i = sc->n_heap++;
		life_series_copy(&h[i], c, sc->n_series++);
		for (; i > 0 && life_order(&h[(i - 1) / 2], &h[i]) < 0; i = (i - 1) / 2)
			life_heap_swap(&h[(i - 1) / 2], &h[i]);
		return;
	}
	h = sc->heap;
	life_series_free(&h[0]);
	life_series_copy(&h[0], c, sc->n_series++);
	n = sc->n_heap;
	for (i = 0;; i = k) {
		k = 2 * i + 1;
		if (k >= n)
			break;
		if (k + 1 < n && life_order(&h[k + 1], &h[k]) > 0)
			k++;
		if (life_order(&h[k], &h[i]) <= 0)
			break;
		life_heap_swap(&h[i], &h[k]);
	}
}

static int life_add(int64_t *sum, int64_t v, char *err, size_t errlen)
{
	if (__builtin_add_overflow(*sum, v, sum)) {
		snprintf(err, errlen, "lifetime totals: integer overflow");
		return -1;
	}
	return 0;
}

static int life_part_qsort(const void *a, const void *b)
{
	return strcmp(((const struct life_part *)a)->key, ((const struct life_part *)b)->key);
}

/* Offers the current run's groups: its rows summed by the grouped key
 * (sorted first), or all of them as one. */
static int life_run_flush(struct life_scan *sc, char *err, size_t errlen)
{
	const struct life_shape *sh = sc->shape;
	struct life_series c;
	size_t i, j;

	if (!sc->in_run)
		return 0;
	for (i = 0; i < sc->n_parts; i++)
		sc->parts[i].key = sc->text + sc->parts[i].off;
	if (sh->sub >= 0)
		qsort(sc->parts, sc->n_parts, sizeof(*sc->parts), life_part_qsort);
	for (i = 0; i < sc->n_parts; i = j) {
		memset(&c, 0, sizeof(c));
		c.key[0] = sc->run_key[0];
		c.key[1] = (sh->keep & 0x2) ? sc->run_key[1] : NULL;
		if (sh->sub >= 0)
			c.key[sh->sub] = sc->parts[i].key;
		for (j = i; j < sc->n_parts && (sh->sub < 0 || j == i ||
		                                strcmp(sc->parts[j].key, sc->parts[i].key) == 0);
		     j++)
			if (life_add(&c.reports, sc->parts[j].reports, err, errlen) < 0 ||
			    life_add(&c.successful, sc->parts[j].successful, err, errlen) < 0 ||
			    life_add(&c.failed, sc->parts[j].failed, err, errlen) < 0)
				return -1;
		life_offer(sc, &c);
	}
	free(sc->run_key[0]);
	free(sc->run_key[1]);
	sc->run_key[0] = sc->run_key[1] = NULL;
	sc->n_parts = sc->text_len = 0;
	sc->in_run = 0;
	return 0;
}

/* Adds a row (keys borrowed from the statement) to its run, ending the
 * run before when its leading keys differ. */
static int life_run_add(struct life_scan *sc, const struct life_series *row, char *err,
                        size_t errlen)
{
	const struct life_shape *sh = sc->shape;
	struct life_part *p;
	const char *sub;
	size_t len;

	if (sc->in_run && (strcmp(sc->run_key[0], row->key[0]) != 0 ||
	                   ((sh->run & 0x2) && strcmp(sc->run_key[1], row->key[1]) != 0)))
		if (life_run_flush(sc, err, errlen) < 0)
			return -1;
	if (!sc->in_run) {
		sc->run_key[0] = xstrdup(row->key[0]);
		sc->run_key[1] = (sh->run & 0x2) ? xstrdup(row->key[1]) : NULL;
		sc->in_run = 1;
	}
	if (sh->sub < 0 && sc->n_parts == 1) {
		/* one group a run: summed as it comes */
		p = &sc->parts[0];
		return life_add(&p->reports, row->reports, err, errlen) < 0 ||
		               life_add(&p->successful, row->successful, err, errlen) < 0 ||
		               life_add(&p->failed, row->failed, err, errlen) < 0
		           ? -1
		           : 0;
	}
	if (sc->n_parts == sc->alloc_parts) {
		sc->alloc_parts = sc->alloc_parts ? sc->alloc_parts * 2 : 64;
		sc->parts = xreallocarray(sc->parts, sc->alloc_parts, sizeof(*sc->parts));
	}
	sub = sh->sub >= 0 ? row->key[sh->sub] : "";
	len = strlen(sub) + 1;
	if (sc->text == NULL || sc->text_alloc - sc->text_len < len) {
		while (sc->text_alloc - sc->text_len < len)
			sc->text_alloc = sc->text_alloc ? sc->text_alloc * 2 : 1024;
		sc->text = xrealloc(sc->text, sc->text_alloc);
	}
	memcpy(sc->text + sc->text_len, sub, len);
	p = &sc->parts[sc->n_parts++];
	p->off = sc->text_len;
	p->key = NULL;
	p->reports = row->reports;
	p->successful = row->successful;
	p->failed = row->failed;
	sc->text_len += len;
	return 0;
}

static void life_scan_free(struct life_scan *sc)
{
	size_t i;

	for (i = 0; i < sc->n_heap; i++)
		life_series_free(&sc->heap[i]);
	free(sc->heap);
	free(sc->run_key[0]);
	free(sc->run_key[1]);
	free(sc->parts);
	free(sc->text);
}

/* The kept series in order, moved to out as query rows. */
static void life_scan_rows(struct life_scan *sc, struct query_rows *out)
{
	struct life_series *h = sc->heap;
	size_t i;

	qsort(h, sc->n_heap, sizeof(*h), life_order_qsort);
	out->rows = xcalloc(sc->n_heap > 0 ? sc->n_heap : 1, sizeof(*out->rows));
	out->n = sc->n_heap;
	for (i = 0; i < sc->n_heap; i++) {
		out->rows[i].policy_domain = (char *)h[i].key[0];
		out->rows[i].organization = (char *)h[i].key[1];
		out->rows[i].mx_host = (char *)h[i].key[2];
		out->rows[i].result_type = (char *)h[i].key[3];
		out->rows[i].reports = h[i].reports;
		out->rows[i].successful_sessions = h[i].successful;
		out->rows[i].failed_sessions = h[i].failed;
	}
	sc->n_heap = 0;
}

int sqlite_lifetime_scan(struct sqlite_store *st, enum query_life family, enum query_labels labels,
                         size_t limit, struct query_rows *out, size_t *n_series, char *err,
                         size_t errlen)
{
	struct life_scan sc;
	struct life_series row;
	const struct life_shape *sh;
	sqlite3_stmt *s = NULL;
	const unsigned char *t;
	int i, step, sessions, rc = -1;

	memset(&sc, 0, sizeof(sc));
	sh = &life_shapes[family][labels];
	sc.shape = sh;
	sc.limit = limit;
	if (sqlite3_prepare_v2(st->db, sh->sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite_fail(st, err, errlen, "cannot read the lifetime totals");
		goto out;
	}
	/* only the columns a series needs: a column call costs about a tenth
	 * of a row's step */
	sessions = family == QUERY_LIFE_DOMAIN;
	memset(&row, 0, sizeof(row));
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		row.successful = sessions ? sqlite3_column_int64(s, 5) : 0;
		row.failed = sqlite3_column_int64(s, 6);
		if (sh->whole && life_past(&sc, row.successful, row.failed)) {
			/* counted, and its text not even read */
			sc.n_series++;
			continue;
		}
		row.reports = sessions ? sqlite3_column_int64(s, 4) : 0;
		for (i = 0; i < LIFE_KEYS; i++) {
			t = (sh->keep & (1u << i)) ? sqlite3_column_text(s, i) : NULL;
			row.key[i] = t != NULL ? (const char *)t : "";
		}
		if (sh->whole)
			life_offer(&sc, &row);
		else if (life_run_add(&sc, &row, err, errlen) < 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		sqlite_fail(st, err, errlen, "cannot read the lifetime totals");
		goto out;
	}
	if (life_run_flush(&sc, err, errlen) < 0)
		goto out;
	life_scan_rows(&sc, out);
	*n_series = sc.n_series;
	rc = 0;
out:
	life_scan_free(&sc);
	sqlite3_finalize(s);
	return rc;
}
