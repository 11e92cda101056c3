/*
 * graph_json.c - the Graph API's JSON answers, read with cJSON: a page of
 * a collection (value + @odata.nextLink), one object's id, an error
 * object. Input: untrusted. The size is capped by graph_http.c; nesting is
 * checked here before cJSON builds a tree, and the tree never leaves this
 * file.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "graph_impl.h"
#include "limits.h"
#include "xalloc.h"

/* Nesting deeper than LIMIT_GRAPH_JSON_DEPTH, or a NUL byte, is refused
 * before cJSON recurses into it. */
static int graph_json_scan(const char *s, size_t len)
{
	size_t i;
	int depth = 0;

	if (memchr(s, '\0', len) != NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
		} else if (s[i] == '[' || s[i] == '{') {
			if (++depth > LIMIT_GRAPH_JSON_DEPTH)
				return -1;
		} else if (s[i] == ']' || s[i] == '}') {
			depth--;
		}
	}
	return 0;
}

/* The answer as a JSON object, or NULL with err. data is NUL-terminated
 * (a strbuf's). */
static cJSON *graph_json_parse(const char *data, size_t len, char *err, size_t errlen)
{
	cJSON *root = NULL;

	if (data == NULL || len == 0 || graph_json_scan(data, len) < 0 ||
	    !cJSON_IsObject(root = cJSON_ParseWithLengthOpts(data, len + 1, NULL, 1))) {
		snprintf(err, errlen, "the answer is not a JSON object (or nests deeper than %d)",
		         LIMIT_GRAPH_JSON_DEPTH);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static const char *graph_json_str(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

int graph_json_page(const char *data, size_t len, graph_each_fn each, void *arg, char **next,
                    char *err, size_t errlen)
{
	cJSON *root = graph_json_parse(data, len, err, errlen);
	const cJSON *value, *it;
	const char *id, *link;
	int rc = -1;

	*next = NULL;
	if (root == NULL)
		return -1;
	value = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsArray(value)) {
		snprintf(err, errlen, "the answer has no \"value\" array");
		goto out;
	}
	cJSON_ArrayForEach(it, value)
	{
		if ((id = graph_json_str(it, "id")) == NULL) {
			snprintf(err, errlen, "an element of \"value\" has no \"id\" string");
			goto out;
		}
		if (each(arg, id, graph_json_str(it, "displayName")) < 0) {
			snprintf(err, errlen, "an element of \"value\" was refused");
			goto out;
		}
	}
	link = graph_json_str(root, "@odata.nextLink");
	if (cJSON_GetObjectItemCaseSensitive(root, "@odata.nextLink") != NULL && link == NULL) {
		snprintf(err, errlen, "\"@odata.nextLink\" is not a string");
		goto out;
	}
	*next = link != NULL ? xstrdup(link) : NULL;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

int graph_json_id(const char *data, size_t len, char **id, char *err, size_t errlen)
{
	cJSON *root = graph_json_parse(data, len, err, errlen);
	const char *v = root != NULL ? graph_json_str(root, "id") : NULL;

	if (root != NULL && v == NULL)
		snprintf(err, errlen, "the answer has no \"id\" string");
	if (v != NULL)
		*id = xstrdup(v);
	cJSON_Delete(root);
	return v != NULL ? 0 : -1;
}

void graph_json_error(const char *data, size_t len, char *code, size_t codelen, char *message,
                      size_t msglen)
{
	char why[ERR_LINE_MAX];
	cJSON *root = graph_json_parse(data, len, why, sizeof(why));
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const char *c = graph_json_str(e, "code"), *m = graph_json_str(e, "message");

	escape_text(c != NULL ? c : "", c != NULL ? strlen(c) : 0, 64, code, codelen);
	escape_text(m != NULL ? m : "", m != NULL ? strlen(m) : 0, LIMIT_LOG_STRING, message,
	            msglen);
	cJSON_Delete(root);
}

int graph_id_ok(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
			return 0;
	return i > 0 && i <= LIMIT_GRAPH_ID_BYTES;
}

int graph_link_ok(const char *link, const char *origin)
{
	size_t i;

	for (i = 0; link[i] != '\0'; i++)
		if ((unsigned char)link[i] <= 0x20 || (unsigned char)link[i] >= 0x7f)
			return 0;
	return i <= LIMIT_GRAPH_LINK_BYTES && strncmp(link, origin, strlen(origin)) == 0;
}
