/*
 * chart.c - the overview's daily chart as inline SVG: no script, no
 * external asset, styled by classes from the stylesheet (the CSP allows no
 * inline style). Input: the analyzer's by-day rows (counts only; the one
 * string, a date, is ours).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "limits.h"
#include "page.h"
#include "text.h"
#include "xalloc.h"

#define CHART_W      800
#define CHART_LEFT   64
#define CHART_RIGHT  8
#define CHART_TOP    10
#define CHART_BOTTOM 22

struct chart_bar {
	int64_t day;  /* first day of the bucket */
	int64_t days; /* days in the bucket */
	int64_t ok;
	int64_t failed;
};

/* The smallest 1, 2 or 5 times a power of ten that is >= v (at least 1). */
static int64_t chart_nice(int64_t v)
{
	int64_t p = 1;

	if (v < 1)
		return 1;
	while (p <= INT64_MAX / 10 && p * 10 <= v)
		p *= 10;
	if (p >= v)
		return p;
	if (p <= INT64_MAX / 2 && 2 * p >= v)
		return 2 * p;
	if (p <= INT64_MAX / 5 && 5 * p >= v)
		return 5 * p;
	return p <= INT64_MAX / 10 ? 10 * p : INT64_MAX;
}

static void chart_bar_title(struct web_page *pg, const struct chart_bar *b, int which)
{
	char d1[16], d2[16], n1[32], n2[32];

	datetime_format_day(b->day, d1, sizeof(d1));
	datetime_format_day(b->day + b->days - 1, d2, sizeof(d2));
	html_raw(pg, "<title>");
	if (b->days > 1)
		html_printf(pg, "%s to %s: ", d1, d2);
	else
		html_printf(pg, "%s: ", d1);
	if (which == 0)
		html_printf(pg, "%s successful, %s failed", text_count(b->ok, n1, sizeof(n1)),
		            text_count(b->failed, n2, sizeof(n2)));
	else
		html_printf(pg, "%s failed", text_count(b->failed, n2, sizeof(n2)));
	html_raw(pg, "</title>");
}

/* One chart: which 0 stacks successful and failed, 1 shows failed alone. */
static void chart_draw(struct web_page *pg, const struct chart_bar *bars, size_t n, int which,
                       int height, const char *label)
{
	double plot_w = CHART_W - CHART_LEFT - CHART_RIGHT;
	double plot_h = height - CHART_TOP - CHART_BOTTOM, bw = plot_w / (double)n, x, h_ok, h_fail;
	int64_t max = 0, top, v;
	char num[32], d[16];
	size_t i, label_every;

	for (i = 0; i < n; i++) {
		v = which == 0 ? bars[i].ok + bars[i].failed : bars[i].failed;
		if (v > max)
			max = v;
	}
	top = chart_nice(max);
	html_printf(pg,
	            "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\" "
	            "xmlns=\"http://www.w3.org/2000/svg\">\n",
	            CHART_W, height, label);
	/* grid and y labels at 0, half and the top */
	for (i = 0; i <= 2; i++) {
		double y = CHART_TOP + plot_h - plot_h * (double)i / 2.0;

		html_printf(pg, "<line class=\"%s\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
		            i == 0 ? "axis" : "grid", CHART_LEFT, y, CHART_W - CHART_RIGHT, y);
		html_printf(pg, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
		            CHART_LEFT - 6, y + 4,
		            text_count(i == 0   ? 0
		                       : i == 1 ? top / 2
		                                : top,
		                       num, sizeof(num)));
	}
	for (i = 0; i < n; i++) {
		const struct chart_bar *b = &bars[i];

		x = CHART_LEFT + bw * (double)i;
		h_ok = which == 0 ? plot_h * (double)b->ok / (double)top : 0;
		h_fail = plot_h * (double)b->failed / (double)top;
		/* a failure stays visible however many sessions succeeded */
		if (b->failed > 0 && h_fail < 1.5)
			h_fail = 1.5;
		html_printf(pg, "<g>");
		chart_bar_title(pg, b, which);
		if (which == 0)
			html_printf(pg,
			            "<rect class=\"bar-ok\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
			            "height=\"%.2f\"/>",
			            x + bw * 0.1, CHART_TOP + plot_h - h_ok, bw * 0.8, h_ok);
		html_printf(pg,
		            "<rect class=\"bar-fail\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
		            "height=\"%.2f\"/></g>\n",
		            x + bw * 0.1, CHART_TOP + plot_h - h_ok - h_fail, bw * 0.8, h_fail);
	}
	/* x labels: about six dates */
	label_every = n > 6 ? (n + 5) / 6 : 1;
	for (i = 0; i < n; i += label_every) {
		datetime_format_day(bars[i].day, d, sizeof(d));
		html_printf(pg, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
		            CHART_LEFT + bw * ((double)i + 0.5), height - 6, d + 5);
	}
	html_raw(pg, "\n</svg>\n");
}

void chart_days(struct web_page *pg, const struct query_rows *days)
{
	struct chart_bar *bars;
	size_t i, n = 0, per;

	if (days->n == 0) {
		html_raw(pg, "<p class=\"none\">No days in this period.</p>\n");
		return;
	}
	per = (days->n + LIMIT_WEB_CHART_BARS - 1) / LIMIT_WEB_CHART_BARS;
	bars = xcalloc((days->n + per - 1) / per, sizeof(*bars));
	for (i = 0; i < days->n; i++) {
		struct chart_bar *b = &bars[i / per];

		if (i % per == 0) {
			b->day = days->rows[i].day;
			n++;
		}
		b->days++;
		b->ok += days->rows[i].successful_sessions;
		b->failed += days->rows[i].failed_sessions;
	}
	html_raw(pg, "<div class=\"chart\" id=\"chart-sessions\">\n");
	chart_draw(pg, bars, n, 0, 240, "Successful and failed sessions per day");
	html_raw(pg, "<p class=\"legend\"><span class=\"k-ok\"></span>successful "
	             "<span class=\"k-fail\"></span>failed sessions");
	if (per > 1)
		html_printf(pg, " (each bar: %zu days)", per);
	html_raw(pg, "</p>\n</div>\n<h2>Failed sessions per day</h2>\n"
	             "<div class=\"chart\" id=\"chart-failed\">\n");
	chart_draw(pg, bars, n, 1, 160, "Failed sessions per day");
	html_raw(pg, "</div>\n");
	free(bars);
}
