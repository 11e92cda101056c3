-- 005_trust.sql - reports that cannot be forged away (docs/trust.md).
--
-- content_sha256: SHA-256 of the parsed report's canonical form
-- (core/report_hash.c), so that a second report under the same
-- (organization, report-id) is a duplicate only when it says the same;
-- NULL for reports stored before this migration (computed from raw_report
-- when first needed).
-- provenance: how far the report can be trusted, strongest first:
-- dkim-verified, file, https, unverified-mail. Reports stored before were
-- never DKIM-checked: mail becomes unverified-mail.
ALTER TABLE report ADD COLUMN content_sha256 BLOB;
ALTER TABLE report ADD COLUMN provenance TEXT NOT NULL DEFAULT 'file';
UPDATE report SET provenance = CASE (SELECT kind FROM source WHERE source.id = report.source_id)
	WHEN 'https' THEN 'https'
	WHEN 'mail' THEN 'unverified-mail'
	WHEN 'imap' THEN 'unverified-mail'
	ELSE 'file' END;
CREATE INDEX report_provenance ON report(provenance);

-- What the DKIM check of a mailed input found: the result (pass, fail,
-- none, temperror, permerror, policy; NULL when not a mail or not
-- checked), the signing domain it rests on, and the Authentication-Results
-- header it was read from (NULL when verified here through DNS).
ALTER TABLE source ADD COLUMN dkim TEXT;
ALTER TABLE source ADD COLUMN dkim_domain TEXT;
ALTER TABLE source ADD COLUMN dkim_ar TEXT;

-- A held input that conflicts with a stored report (same organization and
-- report-id, different content): which report, so that the conflict is
-- counted and shown; and the provenance a copy had when it was stored and
-- then superseded, kept for when the postmaster picks it back.
ALTER TABLE quarantine ADD COLUMN conflict_report INTEGER;
ALTER TABLE quarantine ADD COLUMN provenance TEXT;
CREATE INDEX quarantine_conflict ON quarantine(conflict_report) WHERE released IS NULL;
