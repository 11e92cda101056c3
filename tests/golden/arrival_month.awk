# arrival_month.awk - two reporters, two domains, as one JSON report per
# file (for tests/golden/alert_arrival.sh): DIR/DAY.ORG.DOMAIN.json, DAY a
# UTC day number, ORG g (Google Inc., 5 sessions a day at small.test,
# 1,000 at big.test) or m (Microsoft Corporation, 900 and 2,000). All clean
# but on day "bad": Google's small.test report has 4 of 5 sessions failing
# and its big.test report 400 more failing (certificate-expired at mx1).
#   awk -v dir=D -v first=N -v days=N -v bad=N -f arrival_month.awk
# With -v many=N instead: domains d01.test .. dN.test, each reported by
# both every day (Google 1,000 sessions, Microsoft 2,000), Google's 300
# of them failing on day bad (certificate-expired at mx1): N alerts
# (web_alerts_shown.sh).
function day_str(d) { return strftime("%Y-%m-%d", d * 86400, 1) }
function report(d, org, name, dom, ok, nf,    det, f) {
	det = nf > 0 ? "{\"result-type\":\"certificate-expired\",\"receiving-mx-hostname\":\"mx1." dom "\",\"failure-reason-code\":\"X509_V_ERR_CERT_HAS_EXPIRED\",\"failed-session-count\":" nf "}" : ""
	f = dir "/" d "." org "." dom ".json"
	printf "{\"organization-name\":\"%s\",\"date-range\":{\"start-datetime\":\"%sT00:00:00Z\",\"end-datetime\":\"%sT23:59:59Z\"},\"contact-info\":\"x@example\",\"report-id\":\"%s-%d-%s\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\"],\"policy-domain\":\"%s\"},\"summary\":{\"total-successful-session-count\":%d,\"total-failure-session-count\":%d},\"failure-details\":[%s]}]}\n", name, day_str(d), day_str(d), org, d, dom, dom, ok, nf, det > f
	close(f)
}
BEGIN {
	for (d = first; many > 0 && d < first + days; d++)
		for (i = 1; i <= many; i++) {
			dom = sprintf("d%02d.test", i)
			report(d, "g", "Google Inc.", dom, 1000, d == bad ? 300 : 0)
			report(d, "m", "Microsoft Corporation", dom, 2000, 0)
		}
	if (many > 0)
		exit
	for (d = first; d < first + days; d++) {
		report(d, "g", "Google Inc.", "small.test", d == bad ? 1 : 5, d == bad ? 4 : 0)
		report(d, "g", "Google Inc.", "big.test", 1000, d == bad ? 400 : 0)
		report(d, "m", "Microsoft Corporation", "small.test", 900, 0)
		report(d, "m", "Microsoft Corporation", "big.test", 2000, 0)
	}
}
