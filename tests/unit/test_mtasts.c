/* Unit tests for core/mtasts.c: the _mta-sts and _smtp._tls records, the
 * policy file and the mx pattern rule, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mtasts.h"

struct rec_case {
	const char *in;
	const char *want; /* the id or the rua list ("a b"), when ok */
	const char *err;  /* substring of the error, when not ok */
};

static const struct rec_case sts_cases[] = {
    {"v=STSv1; id=20160831085700Z;", "20160831085700Z", NULL},
    {"v=STSv1;id=1", "1", NULL},
    {"v=STSv1; id=abc; ext_1=x", "abc", NULL},
    {"v=STSv1;  id=20251120  ", "20251120", NULL},
    {"v=STSv1", NULL, "no id="},
    {"v=STSv1; id=", NULL, "1 to 32"},
    {"v=STSv1; id=2025-11-20", NULL, "only letters and digits"},
    {"v=STSv1; id=123456789012345678901234567890123", NULL, "1 to 32"},
    {"v=STSv1; id=1; id=2", NULL, "twice"},
    {"v=STSv1 id=1", NULL, "expected ';'"},
    {"v=STSv2; id=1", NULL, "does not begin"},
    {"v=STSv10; id=1", NULL, "expected ';'"},
    {"id=1; v=STSv1", NULL, "does not begin"},
    {"v=STSv1; id=1; bogus", NULL, "has no '='"},
};

static const struct rec_case rpt_cases[] = {
    {"v=TLSRPTv1; rua=mailto:tlsrpt@example.com", "mailto:tlsrpt@example.com", NULL},
    {"v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.com/tlsrpt;",
     "mailto:a@example.com https://r.example.com/tlsrpt", NULL},
    {"v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.com",
     "mailto:a@example.com mailto:b@example.com", NULL},
    {"v=TLSRPTv1; rua=tlsrpt@example.com", NULL, "neither mailto: nor https:"},
    {"v=TLSRPTv1; rua=http://r.example.com/", NULL, "neither mailto: nor https:"},
    {"v=TLSRPTv1; rua=mailto:example.com", NULL, "not a mail address"},
    {"v=TLSRPTv1; rua=https:///x", NULL, "names no host"},
    {"v=TLSRPTv1", NULL, "no rua="},
    {"v=TLSRPTv1; rua=mailto:a@b.c; rua=mailto:d@e.f", NULL, "twice"},
    {"v=TLSRPTv1;rua=mailto:a@b.c, ", NULL, "neither"},
    {"v=TLSRPTv1; rua=", NULL, "neither"},
    {"v=DMARC1; rua=mailto:a@b.c", NULL, "does not begin"},
};

static void test_mtasts_record_table(void **state)
{
	char err[256], msg[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sts_cases) / sizeof(sts_cases[0]); i++) {
		const struct rec_case *c = &sts_cases[i];
		struct mtasts_record r;
		int rc;

		err[0] = '\0';
		memset(&r, 0, sizeof(r));
		rc = mtasts_parse_record(c->in, &r, err, sizeof(err));
		snprintf(msg, sizeof(msg), "'%s': rc %d id '%s' err '%s'", c->in, rc, r.id, err);
		if (c->want != NULL && (rc != 0 || strcmp(r.id, c->want) != 0))
			fail_msg("%s, want id '%s'", msg, c->want);
		if (c->want == NULL && (rc == 0 || strstr(err, c->err) == NULL))
			fail_msg("%s, want an error with '%s'", msg, c->err);
	}
}

static void test_tlsrpt_record_table(void **state)
{
	char err[256], msg[1024], got[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rpt_cases) / sizeof(rpt_cases[0]); i++) {
		const struct rec_case *c = &rpt_cases[i];
		struct tlsrpt_record r;
		int rc, j;

		err[0] = got[0] = '\0';
		memset(&r, 0, sizeof(r));
		rc = tlsrpt_parse_record(c->in, &r, err, sizeof(err));
		for (j = 0; rc == 0 && j < r.n_rua; j++) {
			if (j > 0)
				strncat(got, " ", sizeof(got) - strlen(got) - 1);
			strncat(got, r.rua[j], sizeof(got) - strlen(got) - 1);
		}
		snprintf(msg, sizeof(msg), "'%s': rc %d rua '%s' err '%s'", c->in, rc, got, err);
		if (c->want != NULL && (rc != 0 || strcmp(got, c->want) != 0))
			fail_msg("%s, want rua '%s'", msg, c->want);
		if (c->want == NULL && (rc == 0 || strstr(err, c->err) == NULL))
			fail_msg("%s, want an error with '%s'", msg, c->err);
	}
}

struct policy_case {
	const char *in;
	int ok;
	const char *want; /* "mode max_age n_mx first_mx", or the error substring */
};

static const struct policy_case policy_cases[] = {
    {"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
     "max_age: 604800\r\n",
     1, "enforce 604800 2 mail.example.com"},
    {"version: STSv1\nmode: testing\nmx: *.mail.protection.outlook.com\nmax_age: 86400\n", 1,
     "testing 86400 1 *.mail.protection.outlook.com"},
    {"version: STSv1\nmode: none\nmax_age: 0", 1, "none 0 0 -"},
    {"version:STSv1\nmode:enforce\nmx:a.example\nmax_age:31557600\n", 1,
     "enforce 31557600 1 a.example"},
    {"version: STSv1\nmode: enforce\nmax_age: 86400\n", 0, "no mx line"},
    {"version: STSv1\nmode: enforce\nmx: a.example\n", 0, "no max_age"},
    {"mode: enforce\nmx: a.example\nmax_age: 1\n", 0, "no version"},
    {"version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", 0, "line 2: mode \"strict\""},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", 0, "over 31557600"},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", 0, "not a number"},
    {"version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n", 0, "line 3: mx"},
    {"version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n", 0, "line 3: mx"},
    {"version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\nmax_age: 1\n", 0,
     "line 3: mode given twice"},
    {"version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", 0, "want STSv1"},
    {"<html>not found</html>\n", 0, "line 1"},
    {"version: STSv1\rmode: enforce\nmx: a.example\nmax_age: 1\n", 0, "CR"},
};

static void test_mtasts_policy_table(void **state)
{
	char err[256], got[512], msg[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(policy_cases) / sizeof(policy_cases[0]); i++) {
		const struct policy_case *c = &policy_cases[i];
		struct mtasts_policy p;
		int rc;

		err[0] = got[0] = '\0';
		rc = mtasts_parse_policy(c->in, strlen(c->in), &p, err, sizeof(err));
		if (rc == 0)
			snprintf(got, sizeof(got), "%s %ld %d %s", mtasts_mode_name(p.mode),
			         p.max_age, p.n_mx, p.n_mx > 0 ? p.mx[0] : "-");
		snprintf(msg, sizeof(msg), "case %zu: rc %d got '%s' err '%s'", i, rc, got, err);
		if (c->ok && (rc != 0 || strcmp(got, c->want) != 0))
			fail_msg("%s, want '%s'", msg, c->want);
		if (!c->ok && (rc == 0 || strstr(err, c->want) == NULL))
			fail_msg("%s, want an error with '%s'", msg, c->want);
	}
}

static void test_mtasts_policy_limits(void **state)
{
	static char big[LIMIT_STS_POLICY_BYTES + 2];
	struct mtasts_policy p;
	char err[256];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	assert_int_equal(mtasts_parse_policy(big, sizeof(big) - 1, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "over the"));
	assert_int_equal(mtasts_parse_policy("version: STSv1\0x", 16, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
}

struct mx_case {
	const char *pattern, *host;
	int want;
};

static const struct mx_case mx_cases[] = {
    {"mail.example.com", "mail.example.com", 1},
    {"mail.example.com", "MAIL.Example.COM.", 1},
    {"mail.example.com.", "mail.example.com", 1},
    {"*.example.com", "mx1.example.com", 1},
    {"*.example.com", "a.b.example.com", 0},
    {"*.example.com", "example.com", 0},
    {"*.example.com", ".example.com", 0},
    {"*.mail.protection.outlook.com", "example-com.mail.protection.outlook.com", 1},
    {"*.mail.protection.outlook.com", "example.com.mail.protection.outlook.com", 0},
    {"mail.example.com", "mail.example.co", 0},
    {"mx.example.com", "mx1.example.com", 0},
};

static void test_mtasts_mx_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mx_cases) / sizeof(mx_cases[0]); i++) {
		int got = mtasts_mx_matches(mx_cases[i].pattern, mx_cases[i].host);

		if (got != mx_cases[i].want)
			fail_msg("'%s' vs '%s': got %d, want %d", mx_cases[i].pattern,
			         mx_cases[i].host, got, mx_cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mtasts_record_table), cmocka_unit_test(test_tlsrpt_record_table),
	    cmocka_unit_test(test_mtasts_policy_table), cmocka_unit_test(test_mtasts_policy_limits),
	    cmocka_unit_test(test_mtasts_mx_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
