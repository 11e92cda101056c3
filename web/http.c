/*
 * http.c - responses: the security headers every response carries, and
 * error bodies. Messages may hold request or report text (untrusted):
 * they are escaped for the body's format.
 */
#include "http.h"

#include "escape.h"
#include "jsonw.h"
#include "limits.h"

const struct web_header web_security_headers[] = {
    {"Content-Security-Policy", WEB_CSP},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
};
const size_t web_n_security_headers =
    sizeof(web_security_headers) / sizeof(web_security_headers[0]);

void web_response_init(struct web_response *r)
{
	r->status = 500;
	r->content_type = "text/plain; charset=utf-8";
	strbuf_init(&r->body, LIMIT_WEB_PAGE_BYTES);
	r->allow = NULL;
	r->retry_after = 0;
	r->cacheable = 0;
}

void web_response_free(struct web_response *r)
{
	strbuf_free(&r->body);
}

void web_response_line(struct web_response *r, const char *line)
{
	strbuf_reset(&r->body);
	if (strbuf_puts(&r->body, line) < 0 || strbuf_putc(&r->body, '\n') < 0)
		strbuf_reset(&r->body);
}

void web_response_error(struct web_response *r, unsigned status, enum web_error_kind kind,
                        const char *message)
{
	struct jsonw w;
	int failed = 0;

	strbuf_reset(&r->body);
	r->status = status;
	r->cacheable = 0;
	switch (kind) {
	case WEB_ERR_JSON:
		r->content_type = "application/json";
		jsonw_init(&w, &r->body, 0);
		jsonw_object_begin(&w);
		jsonw_key(&w, "error");
		jsonw_string(&w, message);
		jsonw_object_end(&w);
		failed = w.failed || strbuf_putc(&r->body, '\n') < 0;
		break;
	case WEB_ERR_TEXT:
		r->content_type = "text/plain; charset=utf-8";
		failed = escape_text_sb(&r->body, message) < 0 || strbuf_putc(&r->body, '\n') < 0;
		break;
	default:
		r->content_type = "text/html; charset=utf-8";
		failed |=
		    strbuf_puts(&r->body,
		                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		                "<meta name=\"viewport\" content=\"width=device-width, "
		                "initial-scale=1\"><title>tlswatch: error</title>"
		                "<link rel=\"stylesheet\" href=\"/static/style.css\"></head>"
		                "<body><main><h1>") < 0;
		failed |= strbuf_printf(&r->body, "%u</h1><p class=\"error\">", status) < 0;
		failed |= escape_html(&r->body, message) < 0;
		failed |=
		    strbuf_puts(&r->body,
		                "</p><p><a href=\"/\">Overview</a></p></main></body></html>\n") < 0;
		break;
	}
	/* an error line always fits a body's cap; were it not to, the status
	 * goes out with no body rather than half of one */
	if (failed)
		strbuf_reset(&r->body);
}
