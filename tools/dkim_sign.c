/*
 * dkim_sign.c - test helper: signs a mail message read from stdin with
 * libopendkim and writes it, signed, to stdout. The tests use it to make
 * report mail that a real verifier (tlswatch, through DNS) must accept or
 * refuse: a fixed signing time (-t) and a lifetime (-x) make an expired
 * signature. Not installed; not part of tlswatch.
 *
 *   dkim_sign -d DOMAIN -s SELECTOR -k KEYFILE [-t UNIXTIME] [-x SECONDS]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <opendkim/dkim.h>

static unsigned char *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0, r;
	unsigned char *buf = malloc(cap + 1);

	while (buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap * 2 + 1);

			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf != NULL)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static uint64_t number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s || *end != '\0') {
		fprintf(stderr, "dkim_sign: '%s' is not a number\n", s);
		exit(2);
	}
	return (uint64_t)v;
}

int main(int argc, char **argv)
{
	const char *domain = NULL, *selector = NULL, *keyfile = NULL;
	uint64_t fixed = 0, ttl = 0;
	unsigned char *key = NULL, *msg = NULL, *hdr = NULL;
	size_t keylen, msglen, hdrlen;
	unsigned char *crlf;
	size_t i, n = 0;
	DKIM_LIB *lib;
	DKIM *dkim;
	DKIM_STAT st;
	FILE *kf;
	int ch;

	while ((ch = getopt(argc, argv, "d:s:k:t:x:")) != -1) {
		switch (ch) {
		case 'd':
			domain = optarg;
			break;
		case 's':
			selector = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 't':
			fixed = number(optarg);
			break;
		case 'x':
			ttl = number(optarg);
			break;
		default:
			return 2;
		}
	}
	if (domain == NULL || selector == NULL || keyfile == NULL) {
		fprintf(stderr, "usage: dkim_sign -d DOMAIN -s SELECTOR -k KEYFILE [-t TIME] "
		                "[-x TTL] < msg\n");
		return 2;
	}
	if ((kf = fopen(keyfile, "r")) == NULL || (key = slurp(kf, &keylen)) == NULL ||
	    (msg = slurp(stdin, &msglen)) == NULL) {
		perror("dkim_sign");
		return 2;
	}
	fclose(kf);
	lib = dkim_init(NULL, NULL);
	if (fixed != 0)
		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed, sizeof(fixed));
	if (ttl != 0)
		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL, &ttl, sizeof(ttl));
	dkim = dkim_sign(lib, (const unsigned char *)"test", NULL, key,
	                 (const unsigned char *)selector, (const unsigned char *)domain,
	                 DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
	if (dkim == NULL) {
		fprintf(stderr, "dkim_sign: %s\n", dkim_getresultstr(st));
		return 2;
	}
	/* signed as sent: CRLF line ends (libopendkim's FIXCRLF loses the
	 * headers of an LF message) */
	if ((crlf = malloc(2 * msglen + 1)) == NULL)
		return 2;
	for (i = 0; i < msglen; i++) {
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			crlf[n++] = '\r';
		crlf[n++] = msg[i];
	}
	if ((st = dkim_chunk(dkim, crlf, n)) != DKIM_STAT_OK ||
	    (st = dkim_chunk(dkim, NULL, 0)) != DKIM_STAT_OK ||
	    (st = dkim_eom(dkim, NULL)) != DKIM_STAT_OK ||
	    (st = dkim_getsighdr_d(dkim, strlen("DKIM-Signature: "), &hdr, &hdrlen)) !=
	        DKIM_STAT_OK) {
		fprintf(stderr, "dkim_sign: %s\n", dkim_getresultstr(st));
		return 2;
	}
	printf("DKIM-Signature: %s\n", (const char *)hdr);
	fwrite(msg, 1, msglen, stdout);
	dkim_free(dkim);
	dkim_close(lib);
	free(key);
	free(msg);
	free(crlf);
	return 0;
}
