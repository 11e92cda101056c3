-- 011_check_result.sql - what each 'tlswatch check' run found published
-- for a domain (issue 14, docs/check.md "History"), so that changes are a
-- history and the reports can be read against what was published.
--
-- Lists are text, one entry a line, sorted, so that two runs that saw the
-- same thing store the same text:
--   mx:     "PREF HOST"               (the MX set, by preference)
--   certs:  "HOST NOT_AFTER"          (UTC seconds; 0: no certificate seen)
--   tlsa:   "HOST USAGE SEL MTYPE HEX"
-- Every text came from DNS, HTTPS or SMTP (untrusted): escape on output.
-- IF NOT EXISTS: a store rewound to an older user_version (the golden
-- tests do that to replay a migration) already holds the table.
CREATE TABLE IF NOT EXISTS check_result (
	id INTEGER PRIMARY KEY,
	domain TEXT NOT NULL,
	checked_at INTEGER NOT NULL,	-- UTC seconds
	status TEXT NOT NULL,		-- ok, warn, fail, unknown (could not check)
	sts_id TEXT,			-- _mta-sts id; NULL: no usable record
	sts_mode TEXT,			-- testing, enforce, none; NULL: no usable policy
	sts_max_age INTEGER,
	sts_body TEXT,			-- the policy as served, when it parsed
	policy_error TEXT,		-- a record but no usable policy: why
	mx TEXT NOT NULL DEFAULT '',
	certs TEXT NOT NULL DEFAULT '',
	tlsa TEXT NOT NULL DEFAULT '',
	tlsrpt TEXT			-- the first rua; NULL: no valid record
);
CREATE INDEX IF NOT EXISTS check_result_domain ON check_result(domain, checked_at);
