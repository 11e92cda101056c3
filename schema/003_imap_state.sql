-- 003_imap_state.sql - where the IMAP collector stopped, per mailbox.
--
-- last_uid is the highest UID whose message (and every lower one) is
-- committed to this database and, when folders are configured, moved out
-- of the mailbox. UIDs are only meaningful under one UIDVALIDITY
-- (RFC 3501 section 2.3.1.1): when the server's differs, the collector
-- rescans the mailbox and relies on report dedupe.
CREATE TABLE imap_state (
	server TEXT NOT NULL,		-- host:port
	user TEXT NOT NULL,
	mailbox TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL,
	last_uid INTEGER NOT NULL,
	updated INTEGER NOT NULL,	-- UTC seconds
	PRIMARY KEY (server, user, mailbox)
) WITHOUT ROWID;
