/*
 * check_https.c - one HTTPS GET through libcurl, for the MTA-STS policy.
 * Input: an untrusted server's response: the body is capped as it arrives,
 * headers are read through libcurl's own bounds, nothing is followed.
 */
#include "check_https.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "xalloc.h"

struct check_https_body {
	char *data;
	size_t len;
	int over;
};

static size_t check_https_write(char *p, size_t size, size_t n, void *arg)
{
	struct check_https_body *b = arg;
	size_t len = size * n, room = LIMIT_STS_POLICY_BYTES - b->len;

	if (len > room) {
		b->over = 1;
		return 0; /* stops the transfer */
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	return len;
}

int check_https_get(const char *host, int port, const char *addr, const char *path,
                    const char *ca_file, int timeout_ms, struct check_fetch *out, char *err,
                    size_t errlen)
{
	struct check_https_body b = {NULL, 0, 0};
	struct curl_slist *resolve = NULL;
	char url[512], pin[512], cerr[CURL_ERROR_SIZE];
	const char *ct = NULL, *loc = NULL;
	CURL *h = NULL;
	CURLcode cc;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -1;
	}
	snprintf(url, sizeof(url), "https://%s:%d%s", host, port, path);
	snprintf(pin, sizeof(pin), strchr(addr, ':') != NULL ? "%s:%d:[%s]" : "%s:%d:%s", host,
	         port, addr);
	b.data = xmalloc(LIMIT_STS_POLICY_BYTES + 1);
	h = curl_easy_init();
	resolve = curl_slist_append(NULL, pin);
	if (h == NULL || resolve == NULL) {
		snprintf(err, errlen, "cannot initialise libcurl");
		goto out;
	}
	cerr[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tlswatch-check");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, check_https_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && b.over)) {
		snprintf(err, errlen, "%s: %s", url,
		         cerr[0] != '\0' ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
		snprintf(out->content_type, sizeof(out->content_type), "%s", ct);
	if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc != NULL)
		snprintf(out->location, sizeof(out->location), "%s", loc);
	b.data[b.len] = '\0';
	out->body = b.data;
	out->len = b.len;
	out->over_cap = b.over;
	b.data = NULL;
	rc = 0;
out:
	free(b.data);
	curl_slist_free_all(resolve);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	return rc;
}

void check_fetch_free(struct check_fetch *f)
{
	free(f->body);
	memset(f, 0, sizeof(*f));
}
