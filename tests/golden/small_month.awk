# small_month.awk - a quiet month of small domains, as JSON reports on
# stdout, one per line (for tests/golden/alert_small.sh and the false-alarm
# figures of docs/alerts.md). Deterministic for a given seed.
#   awk -v seed=1 -v domains=50 -v first=20605 -v days=60 -f small_month.awk
# Domain k (small-k.test) has 2 to 20 sessions a day (the same median all
# month, varying day to day) and a baseline failure probability per session
# of 0.5, 1, 2 or 4 %, each failure at one of two MX hosts with one of three
# result types. "spike=K,DAY,N": domain K has N sessions on DAY, all failing
# (certificate-expired at mx1).
function day_str(d,    t) { return strftime("%Y-%m-%d", d * 86400, 1) }
function poissonish(m,    n, i) { n = 0; for (i = 0; i < 2 * m; i++) if (rand() < 0.5) n++; return n }
BEGIN {
	srand(seed)
	split("0.005 0.01 0.02 0.04", P, " ")
	split("certificate-expired starttls-not-supported certificate-host-mismatch", RT, " ")
	if (spike != "") { split(spike, S, ","); sk = S[1]; sd = S[2]; sn = S[3] }
	for (k = 1; k <= domains; k++) { med[k] = 2 + int(rand() * 19); p[k] = P[1 + (k % 4)] }
	id = 0
	for (d = first; d < first + days; d++) {
		for (k = 1; k <= domains; k++) {
			n = poissonish(med[k] / 2) + 1
			nf = 0
			delete F
			for (i = 0; i < n; i++)
				if (rand() < p[k]) { key = "mx" (1 + int(rand() * 2)) ".small-" k ".test|" RT[1 + int(rand() * 3)]; F[key]++; nf++ }
			if (k == sk && day_str(d) == sd) {
				delete F
				F["mx1.small-" k ".test|certificate-expired"] = sn; nf = sn; n = sn
			}
			det = ""
			for (key in F) {
				split(key, KV, "|")
				det = det (det == "" ? "" : ",") "{\"result-type\":\"" KV[2] "\",\"receiving-mx-hostname\":\"" KV[1] "\",\"failed-session-count\":" F[key] "}"
			}
			ok = n - nf; if (ok < 0) ok = 0
			printf "{\"organization-name\":\"Small Reporter\",\"date-range\":{\"start-datetime\":\"%sT00:00:00Z\",\"end-datetime\":\"%sT23:59:59Z\"},\"contact-info\":\"x@example\",\"report-id\":\"s%d-%d\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\"],\"policy-domain\":\"small-%d.test\"},\"summary\":{\"total-successful-session-count\":%d,\"total-failure-session-count\":%d},\"failure-details\":[%s]}]}\n", day_str(d), day_str(d), seed, ++id, k, ok, nf, det
		}
	}
}
