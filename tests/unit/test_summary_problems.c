/* Unit tests for one problem, one row (analyzer/summary_problems.c): the
 * failure groups of (reporter, domain, MX, result type) merged per
 * (domain, MX, result type), absent and empty the same key, most failed
 * first then by key, the reporters of each named most failed first (then
 * by name, then in the rows' order), only the first `limit` problems
 * kept; and the previous period's figure of each problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "limits.h"
#include "summary.h"

/* A failure group as the scan gives it: (org, domain, MX, type, failed). */
#define ROW(o, d, m, t, f)                                                                         \
	{                                                                                          \
		(char *)(o), (char *)(d), (char *)(m), (char *)(t), NULL, 0, 0, 0, f               \
	}

static const char *str_or(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* problems as "domain|mx|type|failed|reporters count|reporters" lines */
static void problems_text(const struct query_rows *p, char **names, char *out, size_t outlen)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < p->n; i++) {
		const struct query_row *r = &p->rows[i];
		int n =
		    snprintf(out + used, outlen - used, "%s|%s|%s|%lld|%lld|%s\n",
		             str_or(r->policy_domain), str_or(r->mx_host), str_or(r->result_type),
		             (long long)r->failed_sessions, (long long)r->reports, names[i]);

		assert_true(n > 0 && (size_t)n < outlen - used);
		used += (size_t)n;
	}
}

static void problems_free(struct query_rows *p, char **names)
{
	for (size_t i = 0; i < p->n; i++)
		free(names[i]);
	free(names);
	query_rows_free(p);
}

static void test_problems_merged(void **state)
{
	struct query_row rows[] = {
	    /* absent MX and "" are one key; the first named (the most
	     * failed) gives the key's spelling */
	    ROW("A", "d.test", NULL, "t", 5),
	    ROW("B", "d.test", "", "t", 7),
	    /* equal figures: by name; equal names: in the rows' order */
	    ROW("b", "x.test", "mx", "t", 3),
	    ROW("a", "x.test", "mx", "t", 3),
	    ROW("c", "x.test", "mx", "t", 9),
	    /* the same failed total as d.test's (12): by key */
	    ROW("z", "c.test", "mx", "t", 12),
	    /* seven reporters: five named, "and 2 more" */
	    ROW("r1", "many.test", "mx", "u", 1),
	    ROW("r2", "many.test", "mx", "u", 2),
	    ROW("r3", "many.test", "mx", "u", 3),
	    ROW("r4", "many.test", "mx", "u", 4),
	    ROW("r5", "many.test", "mx", "u", 5),
	    ROW("r6", "many.test", "mx", "u", 6),
	    ROW("r7", "many.test", "mx", "u", 7),
	    /* another result type of the same domain and MX: its own row */
	    ROW("A", "d.test", NULL, "other", 1),
	    ROW(NULL, NULL, NULL, "other", 2),
	};
	struct query_rows failures = {rows, sizeof(rows) / sizeof(rows[0])}, p = {NULL, 0};
	char **names = NULL, text[2048];

	(void)state;
	assert_int_equal(LIMIT_ALERT_REPORTERS, 5);
	summary_problems_top(&failures, SIZE_MAX, &p, &names);
	problems_text(&p, names, text, sizeof(text));
	assert_string_equal(text, "many.test|mx|u|28|7|r7, r6, r5, r4, r3 and 2 more\n"
	                          "x.test|mx|t|15|3|c, a, b\n"
	                          "c.test|mx|t|12|1|z\n"
	                          "d.test||t|12|2|B, A\n"
	                          "(null)|(null)|other|2|1|\n"
	                          "d.test|(null)|other|1|1|A\n");
	problems_free(&p, names);

	/* the first two only */
	summary_problems_top(&failures, 2, &p, &names);
	problems_text(&p, names, text, sizeof(text));
	assert_string_equal(text, "many.test|mx|u|28|7|r7, r6, r5, r4, r3 and 2 more\n"
	                          "x.test|mx|t|15|3|c, a, b\n");
	problems_free(&p, names);

	/* no failure, no problem */
	failures.n = 0;
	summary_problems_top(&failures, 20, &p, &names);
	assert_int_equal(p.n, 0);
	problems_free(&p, names);
}

static void test_problems_previous(void **state)
{
	struct query_row now[] = {
	    ROW(NULL, "d.test", "", "t", 12),
	    ROW(NULL, "x.test", "mx", "t", 15),
	    ROW(NULL, "new.test", "mx", "t", 1),
	};
	struct query_row before[] = {
	    /* absent and "" MX both d.test's key; other reporters summed */
	    ROW("A", "d.test", NULL, "t", 4),
	    ROW("B", "d.test", "", "t", 6),
	    ROW("C", "x.test", "mx", "t", 2),
	    /* another result type, another MX: not these keys */
	    ROW("C", "x.test", "mx", "u", 100),
	    ROW("C", "x.test", "mx2", "t", 100),
	};
	struct query_rows problems = {now, 3}, prev = {before, 5};
	int64_t failed[3] = {-1, -1, -1};

	(void)state;
	summary_problems_failed(&problems, &prev, failed);
	assert_int_equal(failed[0], 10);
	assert_int_equal(failed[1], 2);
	assert_int_equal(failed[2], 0);
	prev.n = 0;
	summary_problems_failed(&problems, &prev, failed);
	assert_int_equal(failed[0] + failed[1] + failed[2], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_problems_merged),
	    cmocka_unit_test(test_problems_previous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
