-- 001_init.sql - the report store.
--
-- Days are UTC day numbers (days since 1970-01-01); times are UTC seconds.
-- Text keys of the aggregate tables use '' for "absent" (no policy-domain,
-- no receiving-mx-hostname) so that they can be part of a primary key.

-- The bytes a report arrived as, gzip-compressed, with the SHA-256 of the
-- uncompressed JSON: any report can be parsed again after an upgrade.
CREATE TABLE raw_report (
	id INTEGER PRIMARY KEY,
	sha256 BLOB NOT NULL,
	json_size INTEGER NOT NULL,
	gz BLOB NOT NULL
);

-- Where an input came from: a file, stdin, a mail message, an HTTPS client.
CREATE TABLE source (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,		-- file, stdin, mail, imap, https
	name TEXT,			-- path, Message-ID, client address
	received INTEGER NOT NULL,	-- when tlswatch got it
	message_id TEXT,
	mail_from TEXT,
	mail_date TEXT,
	subject TEXT,
	tls_report_domain TEXT,
	tls_report_submitter TEXT,
	auth_headers TEXT		-- Authentication-Results and DKIM-Signature, raw
);

CREATE TABLE report (
	id INTEGER PRIMARY KEY,
	organization TEXT NOT NULL,
	report_id TEXT NOT NULL,
	contact_info TEXT,
	start_time INTEGER NOT NULL,
	end_time INTEGER NOT NULL,
	day INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,	-- counted once, see docs/counting.md
	failed_sessions INTEGER NOT NULL,
	raw_id INTEGER NOT NULL REFERENCES raw_report(id),
	source_id INTEGER REFERENCES source(id),
	UNIQUE (organization, report_id)
);
CREATE INDEX report_day ON report(day);

CREATE TABLE policy (
	id INTEGER PRIMARY KEY,
	report INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	policy_type TEXT NOT NULL,
	policy_domain TEXT,
	policy_strings TEXT,		-- JSON array
	mx_hosts TEXT,			-- JSON array
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL
);
CREATE INDEX policy_report ON policy(report);

CREATE TABLE failure (
	id INTEGER PRIMARY KEY,
	policy INTEGER NOT NULL REFERENCES policy(id) ON DELETE CASCADE,
	result_type TEXT NOT NULL,
	sending_mta_ip TEXT,
	receiving_mx_hostname TEXT,
	receiving_mx_helo TEXT,
	receiving_ip TEXT,
	additional_information TEXT,
	failure_reason_code TEXT,
	failed_sessions INTEGER NOT NULL
);
CREATE INDEX failure_policy ON failure(policy);

-- Pre-aggregated figures, counted once per report (docs/counting.md), so
-- that summaries read a few thousand rows, not millions of reports.
CREATE TABLE agg_domain (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	reports INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, organization)
) WITHOUT ROWID;

CREATE TABLE agg_failure (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	mx_host TEXT NOT NULL,
	result_type TEXT NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, organization, mx_host, result_type)
) WITHOUT ROWID;

-- Per policy type: each type's own numbers, nothing merged.
CREATE TABLE agg_policy_type (
	day INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	organization TEXT NOT NULL,
	policy_type TEXT NOT NULL,
	policies INTEGER NOT NULL,
	successful_sessions INTEGER NOT NULL,
	failed_sessions INTEGER NOT NULL,
	PRIMARY KEY (day, policy_domain, organization, policy_type)
) WITHOUT ROWID;

-- Inputs that were refused, byte-exact, with the reason. Nothing is lost:
-- 'quarantine retry' parses them again after an upgrade.
CREATE TABLE quarantine (
	id INTEGER PRIMARY KEY,
	received INTEGER NOT NULL,
	kind TEXT NOT NULL,		-- source kind, as in source.kind
	name TEXT,			-- path, Message-ID, client address
	reason TEXT NOT NULL,
	sha256 BLOB NOT NULL,
	size INTEGER NOT NULL,		-- bytes of the original input
	data BLOB NOT NULL,		-- the input, byte-exact (see truncated)
	truncated INTEGER NOT NULL DEFAULT 0,	-- 1: input was over the size
					-- limit; data holds its first part only
	released INTEGER,		-- when a retry stored it
	released_report INTEGER REFERENCES report(id)
);
CREATE INDEX quarantine_received ON quarantine(received);
CREATE INDEX quarantine_sha256 ON quarantine(sha256);
