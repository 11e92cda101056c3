# tests/reason_report.sh - the report that the failure-text roll-up tests
# (tests/integration/reason_roll.sh on SQLite, pg_reason_roll.sh on
# PostgreSQL) build their cases from. Sourced; defines one function.
#
# reason_report ORG ID DAY N [HOST]: sts and tlsa views of one MX's
# sessions naming one code in four result types (max(sts, tlsa) + other
# counts), another MX's information text, and a domain of its own; HOST
# (default ORG.example) is the contact's and the information link's host
reason_report() {
	cat << EOF
{"organization-name": "$1", "report-id": "$2", "contact-info": "tls@${5:-$1.example}",
 "date-range": {"start-datetime": "${3}T00:00:00Z", "end-datetime": "${3}T23:59:59Z"},
 "policies": [
  {"policy": {"policy-type": "sts", "policy-domain": "example.com", "policy-string": ["version: STSv1", "mode: enforce", "mx: mx1.example.com", "max_age: 86400"], "mx-host": ["mx1.example.com"]},
   "summary": {"total-successful-session-count": 100, "total-failure-session-count": $(($4 + 8))},
   "failure-details": [
    {"result-type": "validation-failure", "receiving-mx-hostname": "mx1.example.com", "failed-session-count": $4, "failure-reason-code": "X509_V_ERR_CERT_HAS_EXPIRED"},
    {"result-type": "certificate-expired", "receiving-mx-hostname": "mx1.example.com", "failed-session-count": 3, "failure-reason-code": "X509_V_ERR_CERT_HAS_EXPIRED"},
    {"result-type": "starttls-not-supported", "receiving-mx-hostname": "mx2.example.com", "failed-session-count": 5, "additional-information": "https://${5:-$1.example}/info?id=$2"}]},
  {"policy": {"policy-type": "tlsa", "policy-domain": "example.com", "policy-string": ["3 1 1 abcd"], "mx-host": ["mx1.example.com"]},
   "summary": {"total-successful-session-count": 100, "total-failure-session-count": 11},
   "failure-details": [
    {"result-type": "tlsa-invalid", "receiving-mx-hostname": "mx1.example.com", "failed-session-count": 11, "failure-reason-code": "X509_V_ERR_CERT_HAS_EXPIRED"}]},
  {"policy": {"policy-type": "no-policy-found", "policy-domain": "example.org"},
   "summary": {"total-successful-session-count": 10, "total-failure-session-count": 2},
   "failure-details": [
    {"result-type": "starttls-not-supported", "receiving-mx-hostname": "mx.example.org", "failed-session-count": 2, "failure-reason-code": "STARTTLS not offered", "additional-information": "see RFC 3207"}]}]}
EOF
}
