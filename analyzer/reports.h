/*
 * reports.h - the report list and one report's detail, as text (for a
 * terminal) and JSON (the CLI's --format json, and the web API's
 * /api/v1/reports documents). Input is report text from the store
 * (untrusted): text output escapes control characters, JSON escapes every
 * string.
 *
 * Each returns 0, or -1 when sb's cap was reached.
 */
#ifndef TLSWATCH_REPORTS_H
#define TLSWATCH_REPORTS_H

#include <stdint.h>

#include "jsonw.h"
#include "query.h"
#include "strbuf.h"

/* One line per report, 80 columns, and a line saying which page this is. */
STRBUF_MUST_CHECK int reports_render_list_text(const struct query_report_list *l, int64_t offset,
                                               struct strbuf *sb);
/* {"period", "total", "offset", "limit", "reports": [...]} */
STRBUF_MUST_CHECK int reports_render_list_json(const struct query_report_list *l,
                                               const struct query_filter *f, int64_t offset,
                                               int64_t limit, struct strbuf *sb, int pretty);
/* The "reports" array alone, one object per report: the one writer of a
 * report-list entry, for the list above and the web API's /api/v1/reports
 * (which pages by page and page_size instead of offset and limit). A
 * failure is w's (w->failed). */
void reports_json_entries(struct jsonw *w, const struct query_report_list *l);

/* The report: header, source, policies with their failure details, and
 * the raw JSON as received (each line escaped). */
STRBUF_MUST_CHECK int reports_render_detail_text(const struct query_report_detail *d,
                                                 struct strbuf *sb);
/* The same as one JSON object; the raw JSON is a string ("raw_json"). */
STRBUF_MUST_CHECK int reports_render_detail_json(const struct query_report_detail *d,
                                                 struct strbuf *sb, int pretty);

#endif
