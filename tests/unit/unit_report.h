/*
 * unit_report.h - what the report and tally unit tests share: the first
 * members of a minimal valid report (HEAD), a policy summary (SUMMARY) and
 * parse_ok(), which fails the test with the parser's reason when a report
 * that must parse does not. Include after cmocka.h and report.h.
 */
#ifndef UNIT_REPORT_H
#define UNIT_REPORT_H

#include <string.h>

#include "report.h"

#define HEAD                                                                                       \
	"{\"organization-name\":\"Org\",\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:"    \
	"00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},\"report-id\":\"R\","

#define SUMMARY(ok, fail)                                                                          \
	"\"summary\":{\"total-successful-session-count\":" #ok                                     \
	",\"total-failure-session-count\":" #fail "}"

static inline struct report *parse_ok(const char *json)
{
	struct report *r = NULL;
	char err[512];

	if (report_parse_json(json, strlen(json), &r, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s\n  input: %s", err, json);
	return r;
}

#endif
