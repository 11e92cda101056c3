/*
 * pages_published.c - the overview's "Published vs reported" panel: for
 * each domain 'tlswatch check' looked at (and the view's domain filter
 * keeps), what it publishes, whether it is ready for enforce, and the
 * drift between what it publishes and what reporters applied
 * (analyzer/published.c, as 'tlswatch summary' shows it). The text came
 * from DNS, HTTPS, SMTP and reports: every string goes through
 * html_text().
 */
#include <time.h>

#include "page.h"
#include "app.h"
#include "published.h"

void page_published_panel(struct web_page *pg)
{
	struct published_list l = {NULL, 0};
	char err[ERR_LINE_MAX];
	size_t i, k, shown = 0;

	if (published_read(pg->st, pg->filter.q.domains, pg->filter.q.n_domains,
	                   (int64_t)time(NULL), pg->app->expiry_warn_days, &l, err,
	                   sizeof(err)) < 0) {
		html_raw(pg, "<h2>Published vs reported</h2>\n<p class=\"error\">");
		html_text(pg, err);
		html_raw(pg, "</p>\n");
		return;
	}
	for (i = 0; i < l.n; i++) {
		const struct published *p = &l.d[i];

		if (shown++ == 0)
			html_raw(pg, "<h2>Published vs reported</h2>\n<div id=\"published\">\n");
		html_raw(pg, "<section class=\"published\"><h3>");
		html_text(pg, p->domain);
		html_raw(pg, "</h3>\n<p>MTA-STS ");
		html_text(pg, p->sts_mode[0] != '\0' ? p->sts_mode : "none");
		if (p->sts_id[0] != '\0') {
			html_raw(pg, " id ");
			html_text(pg, p->sts_id);
		}
		html_raw(pg, " (tlswatch check)</p>\n<ul>\n");
		for (k = 0; k < p->n; k++) {
			const struct published_note *n = &p->note[k];

			html_printf(pg, "<li class=\"%s\" data-kind=\"%s\">",
			            n->kind == PUBLISHED_READY ? "ok"
			            : n->alert                 ? "fail"
			                                       : "warn",
			            published_kind_name(n->kind));
			html_text(pg, n->text);
			html_raw(pg, "</li>\n");
		}
		if (p->n == 0)
			html_raw(pg, "<li class=\"ok\">Nothing to note.</li>\n");
		html_raw(pg, "</ul></section>\n");
	}
	if (shown > 0)
		html_raw(pg, "</div>\n");
	published_list_free(&l);
}
