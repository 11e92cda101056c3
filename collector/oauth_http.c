/*
 * oauth_http.c - everything OAuth does with libcurl and cJSON: a form POST
 * to a token (or device authorization) endpoint over HTTPS only, no
 * redirects, its answer size- and time-capped and parsed into a struct
 * oauth_answer (the cJSON tree never leaves this file), and the Google
 * service-account key file. Input: the endpoint's answer is untrusted.
 */
#include <cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "limits.h"
#include "oauth.h"
#include "oauth_impl.h"
#include "xalloc.h"

void oauth_answer_free(struct oauth_answer *a)
{
	oauth_token_free(a->access);
	oauth_token_free(a->refresh);
	oauth_token_free(a->device_code);
	free(a->error);
	free(a->description);
	free(a->user_code);
	free(a->verification_uri);
	memset(a, 0, sizeof(*a));
}

int oauth_form(struct strbuf *body, const char *name, const char *value)
{
	/* the handle is unused since curl 7.82 (Debian 12 has 7.88) */
	char *enc = curl_easy_escape(NULL, value, 0);
	int rc;

	if (enc == NULL)
		return -1;
	rc = strbuf_printf(body, "%s%s=%s", body->len > 0 ? "&" : "", name, enc);
	explicit_bzero(enc, strlen(enc));
	curl_free(enc);
	return rc;
}

/* A string member of a cJSON object, copied, or NULL. */
static char *http_json_str(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(it) && it->valuestring != NULL ? xstrdup(it->valuestring) : NULL;
}

/* A number member (RFC 6749 says number; Microsoft's v1 endpoint sent
 * strings), or -1 when absent or not a number. */
static double http_json_num(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	char *end;
	double v;

	if (cJSON_IsNumber(it))
		return it->valuedouble;
	if (cJSON_IsString(it) && it->valuestring != NULL) {
		v = strtod(it->valuestring, &end);
		return end != it->valuestring && *end == '\0' ? v : -1;
	}
	return -1;
}

static size_t http_collect(char *data, size_t size, size_t n, void *arg)
{
	struct strbuf *sb = arg;

	/* past the cap: a short count makes curl stop with an error */
	return strbuf_append(sb, data, size * n) < 0 ? 0 : size * n;
}

static int http_parse(struct strbuf *resp, struct oauth_answer *a, char *err, size_t errlen)
{
	cJSON *root = NULL;

	if (resp->len > 0 && memchr(resp->data, '\0', resp->len) == NULL)
		root = cJSON_ParseWithLengthOpts(resp->data, resp->len + 1, NULL, 1);
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "HTTP %ld with a body that is not a JSON object", a->status);
		cJSON_Delete(root);
		return -1;
	}
	a->access = http_json_str(root, "access_token");
	a->refresh = http_json_str(root, "refresh_token");
	a->error = http_json_str(root, "error");
	a->description = http_json_str(root, "error_description");
	a->device_code = http_json_str(root, "device_code");
	a->user_code = http_json_str(root, "user_code");
	/* RFC 8628 says verification_uri; Google sends verification_url */
	a->verification_uri = http_json_str(root, "verification_uri");
	if (a->verification_uri == NULL)
		a->verification_uri = http_json_str(root, "verification_url");
	a->expires_in = http_json_num(root, "expires_in");
	a->interval = http_json_num(root, "interval");
	cJSON_Delete(root);
	return 0;
}

int oauth_post(const struct oauth_config *oc, const char *url, const struct strbuf *body,
               struct oauth_answer *a, char *err, size_t errlen)
{
	struct curl_slist *hdr = NULL;
	struct strbuf resp;
	char cerr[CURL_ERROR_SIZE] = "", why[ERR_LINE_MAX];
	CURL *h = NULL;
	CURLcode cc;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	strbuf_init(&resp, LIMIT_OAUTH_RESPONSE_BYTES);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (h = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "oauth %s: libcurl did not start", esc(url));
		goto out;
	}
	hdr = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
	hdr = curl_slist_append(hdr, "Accept: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)LIMIT_OAUTH_CONNECT_SECONDS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)LIMIT_OAUTH_SECONDS);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)LIMIT_OAUTH_RESPONSE_BYTES);
	if (oc->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, oc->ca_file);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, strbuf_str(body));
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tlswatch");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "oauth %s: %s", esc(url),
		         cc == CURLE_WRITE_ERROR || cc == CURLE_FILESIZE_EXCEEDED
		             ? "the answer is larger than the limit"
		             : (cerr[0] != '\0' ? esc(cerr) : curl_easy_strerror(cc)));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
	if (http_parse(&resp, a, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "oauth %s: %s", esc(url), why);
		goto out;
	}
	rc = 0;
out:
	if (resp.data != NULL)
		explicit_bzero(resp.data, resp.len);
	strbuf_free(&resp);
	curl_slist_free_all(hdr);
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_global_cleanup();
	return rc;
}

char *oauth_query_get(const char *url, const char *name)
{
	const char *q = strchr(url, '?'), *p, *end;
	size_t n = strlen(name);
	char *raw, *dec, *out = NULL;
	int len = 0;

	for (p = q != NULL ? q + 1 : url; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, "&#");
		if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			raw = xstrndup(p + n + 1, (size_t)(end - p) - n - 1);
			dec = curl_easy_unescape(NULL, raw, 0, &len);
			if (dec != NULL && len > 0 && memchr(dec, '\0', (size_t)len) == NULL)
				out = xstrdup(dec);
			if (dec != NULL) {
				explicit_bzero(dec, (size_t)len);
				curl_free(dec);
			}
			oauth_token_free(raw);
			return out;
		}
		if (*end == '#')
			break;
	}
	return NULL;
}

int oauth_keyfile_parse(const char *json, size_t len, char **pem, char **email, char **key_id,
                        char *err, size_t errlen)
{
	cJSON *root = cJSON_ParseWithLengthOpts(json, len + 1, NULL, 1);
	cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "private_key");
	int rc = -1;

	if (!cJSON_IsString(k) || k->valuestring == NULL) {
		snprintf(err, errlen,
		         "private_key_file: JSON without a \"private_key\" (not a service-account "
		         "key file?)");
		goto out;
	}
	*pem = xstrdup(k->valuestring);
	*email = http_json_str(root, "client_email");
	*key_id = http_json_str(root, "private_key_id");
	explicit_bzero(k->valuestring, strlen(k->valuestring));
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}
