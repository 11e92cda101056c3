/*
 * mtasts.c - the MTA-STS and TLSRPT records and the MTA-STS policy file,
 * parsed to the letter of their RFCs' grammars. Input: DNS answers and an
 * HTTPS body, untrusted; nothing here allocates.
 */
#include "mtasts.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hostname.h"

static int mtasts_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Copies at most n bytes of s into out (of outlen); -1 when it does not fit. */
static int mtasts_copy(char *out, size_t outlen, const char *s, size_t n)
{
	if (n >= outlen)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* RFC 8461 section 3.1 and RFC 8460 section 3 share the extension name
 * grammar: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."). */
static int mtasts_valid_ext_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 32 || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

/* An mx pattern: ASCII (RFC 8461 section 3.2 takes RFC 5321 domains),
 * then the host-name rules every report field follows (core/hostname.c). */
static int mtasts_valid_pattern(const char *s, size_t n)
{
	char host[LIMIT_CHECK_NAME_BYTES], why[128];
	size_t i;

	if (n == 0 || n >= sizeof(host))
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == ':')
			return 0;
	memcpy(host, s, n);
	host[n] = '\0';
	return hostname_check(host, HOSTNAME_PATTERN, why, sizeof(why)) == 0;
}

/* Walks "k=v; k=v" fields after the version tag. fn is called per field
 * with the name and value; a non-zero return stops the walk. */
static int mtasts_fields(const char *p,
                         int (*fn)(const char *k, size_t kn, const char *v, size_t vn, void *arg,
                                   char *err, size_t errlen),
                         void *arg, char *err, size_t errlen)
{
	for (;;) {
		const char *k, *eq, *end;

		while (mtasts_is_wsp(*p))
			p++;
		if (*p == '\0')
			return 0;
		if (*p != ';') {
			snprintf(err, errlen, "expected ';' before \"%.20s\"", p);
			return -1;
		}
		p++;
		while (mtasts_is_wsp(*p))
			p++;
		if (*p == '\0')
			return 0; /* a trailing ';' is allowed */
		k = p;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(k, '=', (size_t)(end - k));
		if (eq == NULL) {
			snprintf(err, errlen, "field \"%.*s\" has no '='", (int)(end - k), k);
			return -1;
		}
		p = end;
		while (end > eq + 1 && mtasts_is_wsp(end[-1]))
			end--;
		if (fn(k, (size_t)(eq - k), eq + 1, (size_t)(end - eq - 1), arg, err, errlen) < 0)
			return -1;
	}
}

static int mtasts_ext_value_ok(const char *v, size_t vn)
{
	size_t i;

	if (vn == 0)
		return 0;
	for (i = 0; i < vn; i++)
		if (v[i] < 0x21 || v[i] > 0x7e || v[i] == ';' || v[i] == '=')
			return 0;
	return 1;
}

static int mtasts_record_field(const char *k, size_t kn, const char *v, size_t vn, void *arg,
                               char *err, size_t errlen)
{
	struct mtasts_record *r = arg;
	size_t i;

	if (kn == 2 && memcmp(k, "id", 2) == 0) {
		if (r->id[0] != '\0') {
			snprintf(err, errlen, "id given twice");
			return -1;
		}
		if (vn == 0 || vn > 32) {
			snprintf(err, errlen, "id must be 1 to 32 letters and digits");
			return -1;
		}
		for (i = 0; i < vn; i++)
			if (!isalnum((unsigned char)v[i])) {
				snprintf(err, errlen,
				         "id \"%.*s\": only letters and digits allowed", (int)vn,
				         v);
				return -1;
			}
		return mtasts_copy(r->id, sizeof(r->id), v, vn);
	}
	if (!mtasts_valid_ext_name(k, kn) || !mtasts_ext_value_ok(v, vn)) {
		snprintf(err, errlen, "field \"%.*s\" is not valid", (int)(kn + 1 + vn), k);
		return -1;
	}
	return 0;
}

int mtasts_parse_record(const char *txt, struct mtasts_record *out, char *err, size_t errlen)
{
	struct mtasts_record r;

	memset(&r, 0, sizeof(r));
	if (strncmp(txt, "v=STSv1", 7) != 0) {
		snprintf(err, errlen, "does not begin with \"v=STSv1\"");
		return -1;
	}
	if (mtasts_fields(txt + 7, mtasts_record_field, &r, err, errlen) < 0)
		return -1;
	if (r.id[0] == '\0') {
		snprintf(err, errlen, "no id= field");
		return -1;
	}
	*out = r;
	return 0;
}

static int tlsrpt_uri(struct tlsrpt_record *r, const char *u, size_t un, char *err, size_t errlen)
{
	const char *rest;
	size_t i;

	for (i = 0; i < un; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f) {
			snprintf(err, errlen, "rua URI \"%.*s\" holds a space or control character",
			         (int)un, u);
			return -1;
		}
	if (un > 7 && strncasecmp(u, "mailto:", 7) == 0) {
		rest = memchr(u + 7, '@', un - 7);
		if (rest == NULL || rest == u + 7 || rest == u + un - 1) {
			snprintf(err, errlen, "rua \"%.*s\" is not a mail address", (int)un, u);
			return -1;
		}
	} else if (un > 8 && strncasecmp(u, "https://", 8) == 0) {
		if (u[8] == '/' || u[8] == '\0') {
			snprintf(err, errlen, "rua \"%.*s\" names no host", (int)un, u);
			return -1;
		}
	} else {
		snprintf(err, errlen, "rua \"%.*s\" is neither mailto: nor https:", (int)un, u);
		return -1;
	}
	if (r->n_rua >= LIMIT_TLSRPT_RUA) {
		snprintf(err, errlen, "more than %d rua URIs", LIMIT_TLSRPT_RUA);
		return -1;
	}
	if (mtasts_copy(r->rua[r->n_rua], sizeof(r->rua[0]), u, un) < 0) {
		snprintf(err, errlen, "rua URI longer than %d bytes", LIMIT_CHECK_NAME_BYTES - 1);
		return -1;
	}
	r->n_rua++;
	return 0;
}

static int tlsrpt_record_field(const char *k, size_t kn, const char *v, size_t vn, void *arg,
                               char *err, size_t errlen)
{
	struct tlsrpt_record *r = arg;

	if (kn == 3 && memcmp(k, "rua", 3) == 0) {
		const char *end = v + vn;

		if (r->n_rua > 0) {
			snprintf(err, errlen, "rua given twice");
			return -1;
		}
		for (;;) {
			const char *comma = memchr(v, ',', (size_t)(end - v));
			const char *ue = comma != NULL ? comma : end;

			while (ue > v && mtasts_is_wsp(ue[-1]))
				ue--;
			if (tlsrpt_uri(r, v, (size_t)(ue - v), err, errlen) < 0)
				return -1;
			if (comma == NULL)
				return 0;
			v = comma + 1;
			while (v < end && mtasts_is_wsp(*v))
				v++;
		}
	}
	if (!mtasts_valid_ext_name(k, kn) || !mtasts_ext_value_ok(v, vn)) {
		snprintf(err, errlen, "field \"%.*s\" is not valid", (int)(kn + 1 + vn), k);
		return -1;
	}
	return 0;
}

int tlsrpt_parse_record(const char *txt, struct tlsrpt_record *out, char *err, size_t errlen)
{
	struct tlsrpt_record r;

	memset(&r, 0, sizeof(r));
	if (strncmp(txt, "v=TLSRPTv1", 10) != 0) {
		snprintf(err, errlen, "does not begin with \"v=TLSRPTv1\"");
		return -1;
	}
	if (mtasts_fields(txt + 10, tlsrpt_record_field, &r, err, errlen) < 0)
		return -1;
	if (r.n_rua == 0) {
		snprintf(err, errlen, "no rua= field");
		return -1;
	}
	*out = r;
	return 0;
}

const char *mtasts_mode_name(enum mtasts_mode m)
{
	switch (m) {
	case MTASTS_MODE_ENFORCE:
		return "enforce";
	case MTASTS_MODE_TESTING:
		return "testing";
	case MTASTS_MODE_NONE:
		break;
	}
	return "none";
}

struct mtasts_policy_state {
	struct mtasts_policy *p;
	int have_version, have_mode, have_max_age;
};

static int mtasts_policy_line(struct mtasts_policy_state *s, const char *k, size_t kn,
                              const char *v, size_t vn, char *err, size_t errlen)
{
	struct mtasts_policy *p = s->p;
	size_t i;

#define KEY_IS(name) (kn == sizeof(name) - 1 && memcmp(k, name, kn) == 0)
	if (KEY_IS("version")) {
		if (s->have_version++) {
			snprintf(err, errlen, "version given twice");
			return -1;
		}
		if (vn != 5 || memcmp(v, "STSv1", 5) != 0) {
			snprintf(err, errlen, "version \"%.*s\", want STSv1", (int)vn, v);
			return -1;
		}
	} else if (KEY_IS("mode")) {
		if (s->have_mode++) {
			snprintf(err, errlen, "mode given twice");
			return -1;
		}
		if (vn == 7 && memcmp(v, "enforce", 7) == 0)
			p->mode = MTASTS_MODE_ENFORCE;
		else if (vn == 7 && memcmp(v, "testing", 7) == 0)
			p->mode = MTASTS_MODE_TESTING;
		else if (vn == 4 && memcmp(v, "none", 4) == 0)
			p->mode = MTASTS_MODE_NONE;
		else {
			snprintf(err, errlen, "mode \"%.*s\", want enforce, testing or none",
			         (int)vn, v);
			return -1;
		}
	} else if (KEY_IS("max_age")) {
		long age = 0;

		if (s->have_max_age++) {
			snprintf(err, errlen, "max_age given twice");
			return -1;
		}
		/* 1*10DIGIT, at most 31557600 (RFC 8461 section 3.2) */
		if (vn == 0 || vn > 10) {
			snprintf(err, errlen, "max_age \"%.*s\" is not 1 to 10 digits", (int)vn, v);
			return -1;
		}
		for (i = 0; i < vn; i++) {
			if (!isdigit((unsigned char)v[i])) {
				snprintf(err, errlen, "max_age \"%.*s\" is not a number", (int)vn,
				         v);
				return -1;
			}
			age = age * 10 + (v[i] - '0');
		}
		if (age > LIMIT_STS_MAX_AGE) {
			snprintf(err, errlen, "max_age %ld is over %d (one year)", age,
			         LIMIT_STS_MAX_AGE);
			return -1;
		}
		p->max_age = age;
	} else if (KEY_IS("mx")) {
		if (!mtasts_valid_pattern(v, vn)) {
			snprintf(err, errlen, "mx \"%.*s\" is not a host name or *.domain pattern",
			         (int)vn, v);
			return -1;
		}
		if (p->n_mx >= LIMIT_STS_POLICY_MX) {
			snprintf(err, errlen, "more than %d mx lines", LIMIT_STS_POLICY_MX);
			return -1;
		}
		if (mtasts_copy(p->mx[p->n_mx], sizeof(p->mx[0]), v, vn) < 0) {
			snprintf(err, errlen, "mx pattern too long");
			return -1;
		}
		p->n_mx++;
	} else {
		if (!mtasts_valid_ext_name(k, kn)) {
			snprintf(err, errlen, "\"%.*s\" is not a valid key", (int)kn, k);
			return -1;
		}
		if (p->n_unknown++ == 0)
			mtasts_copy(p->unknown, sizeof(p->unknown), k, kn < 63 ? kn : 63);
	}
#undef KEY_IS
	return 0;
}

int mtasts_parse_policy(const char *body, size_t len, struct mtasts_policy *out, char *err,
                        size_t errlen)
{
	struct mtasts_policy p;
	struct mtasts_policy_state s;
	char why[ERR_LINE_MAX];
	size_t pos = 0;
	int line = 0;

	memset(&p, 0, sizeof(p));
	memset(&s, 0, sizeof(s));
	s.p = &p;
	if (len > LIMIT_STS_POLICY_BYTES) {
		snprintf(err, errlen, "policy is %zu bytes, over the %u-byte limit", len,
		         LIMIT_STS_POLICY_BYTES);
		return -1;
	}
	if (memchr(body, '\0', len) != NULL) {
		snprintf(err, errlen, "policy holds a NUL byte");
		return -1;
	}
	while (pos < len) {
		const char *l = body + pos, *nl = memchr(l, '\n', len - pos), *colon, *v;
		size_t n = nl != NULL ? (size_t)(nl - l) : len - pos, kn;

		pos += n + (nl != NULL);
		line++;
		if (n > 0 && l[n - 1] == '\r')
			n--;
		while (n > 0 && mtasts_is_wsp(l[n - 1]))
			n--;
		if (n == 0)
			continue;
		if (memchr(l, '\r', n) != NULL) {
			snprintf(err, errlen, "line %d: a CR that does not end the line", line);
			return -1;
		}
		colon = memchr(l, ':', n);
		if (colon == NULL) {
			snprintf(err, errlen, "line %d: \"%.*s\" is not \"key: value\"", line,
			         (int)(n < 40 ? n : 40), l);
			return -1;
		}
		kn = (size_t)(colon - l);
		v = colon + 1;
		while (v < l + n && mtasts_is_wsp(*v))
			v++;
		if (mtasts_policy_line(&s, l, kn, v, (size_t)(l + n - v), why, sizeof(why)) < 0) {
			snprintf(err, errlen, "line %d: %s", line, why);
			return -1;
		}
	}
	if (!s.have_version || !s.have_mode || !s.have_max_age) {
		snprintf(err, errlen, "no %s line",
		         !s.have_version ? "version"
		         : !s.have_mode  ? "mode"
		                         : "max_age");
		return -1;
	}
	if (p.n_mx == 0 && p.mode != MTASTS_MODE_NONE) {
		snprintf(err, errlen, "no mx line (required unless mode is none)");
		return -1;
	}
	*out = p;
	return 0;
}

/* Compares n bytes of a and b ignoring ASCII case. */
static int mtasts_eq_nocase(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && strncasecmp(a, b, an) == 0;
}

int mtasts_mx_matches(const char *pattern, const char *host)
{
	size_t pn = strlen(pattern), hn = strlen(host);
	const char *dot;

	if (pn > 0 && pattern[pn - 1] == '.')
		pn--;
	if (hn > 0 && host[hn - 1] == '.')
		hn--;
	if (pn > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* the wildcard stands for exactly one whole label (section 4.1) */
		dot = memchr(host, '.', hn);
		if (dot == NULL || dot == host)
			return 0;
		return mtasts_eq_nocase(pattern + 2, pn - 2, dot + 1,
		                        hn - (size_t)(dot + 1 - host));
	}
	return mtasts_eq_nocase(pattern, pn, host, hn);
}
