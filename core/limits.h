/*
 * limits.h - every limit tlswatch applies to untrusted input, in one place.
 *
 * Reports arrive from anyone on the internet (mail or HTTPS POST), so every
 * length, count, depth and size is bounded before memory is committed to it.
 * Each limit says why it has the value it has. Real-world maxima seen in the
 * sample corpus (docs/quirks.md) are far below these.
 */
#ifndef TLSWATCH_LIMITS_H
#define TLSWATCH_LIMITS_H

/* RFC 8460 section 5.2 names 10 MB as a receiver limit commonly found in the
 * wild; a gzip'd report larger than that is not a report we want. */
#define LIMIT_COMPRESSED_BYTES (10u * 1024u * 1024u)

/* Inflated JSON. Real reports are 0.5-15 KiB; 64 MiB leaves room for a
 * large provider's report while stopping a gzip bomb long before it hurts. */
#define LIMIT_INFLATED_BYTES (64u * 1024u * 1024u)

/* An uncompressed JSON report given directly (file, stdin, POST). The same
 * bound as a compressed one: RFC 8460 section 5.2. */
#define LIMIT_JSON_BYTES LIMIT_COMPRESSED_BYTES

/* A whole input (a file, stdin, a mail message, a POST body): the 10 MB
 * report plus base64 expansion (4/3) and mail headers. */
#define LIMIT_INPUT_BYTES (16u * 1024u * 1024u)

/* JSON nesting. A report is at most 5 levels deep (report, policies, policy,
 * failure-details, detail); 32 allows unknown extensions and stops the
 * 100,000-deep array long before cJSON's own recursion limit. */
#define LIMIT_JSON_DEPTH 32

/* JSON values (nodes) in one document, counted before cJSON builds its
 * tree: each costs cJSON about 64 bytes, so this bounds the tree at ~25 MiB.
 * 10,000 failure details of 8 values each fit with room to spare. */
#define LIMIT_JSON_VALUES 400000

/* Members in one JSON object. A report object has about a dozen keys; 256
 * allows extensions and bounds the duplicate-key check. */
#define LIMIT_JSON_OBJECT_MEMBERS 256

/* Policies in one report. One policy per policy domain and type; a provider
 * reporting for a large hosting customer may list a few hundred domains. */
#define LIMIT_POLICIES 4096

/* Failure details in one policy. The largest seen in real reports is 5; one
 * per (sending IP, MX, result type) triple still fits comfortably. */
#define LIMIT_FAILURE_DETAILS 10000

/* Entries in a policy-string or mx-host array. An MTA-STS policy has a
 * handful of lines; Microsoft's TLSA lists carry about a dozen records. */
#define LIMIT_POLICY_STRINGS 1024

/* One string value (names, IPs, reasons, policy lines). Host names are at
 * most 253 octets; free-text reasons from Mail.ru run to a few hundred. */
#define LIMIT_STRING_BYTES 2048

/* A free-text field (receiving-mx-helo, failure-reason-code,
 * additional-information, a policy-string line) longer than
 * LIMIT_STRING_BYTES is kept, cut to this many bytes plus a marker: Postfix
 * passes a server's whole multi-line EHLO answer (2,223 bytes seen), and
 * the raw report keeps the full text. Leaves room for the marker. */
#define LIMIT_TEXT_SHORTENED 1984

/* A report with more policies than this is not searched for a tlsa
 * policy named after another domain's MX host (core/tally.c): the search
 * is quadratic, and real reports carry a handful of policies. */
#define LIMIT_TALLY_MX_POLICIES 64

/* [counting] overrides: organizations named, and the length of one name
 * (an organization-name is one report string). */
#define LIMIT_TALLY_OVERRIDES      64
#define LIMIT_TALLY_OVERRIDE_BYTES 256

/* A host name (policy-domain, mx-host, receiving-mx-hostname): RFC 1035
 * section 2.3.4 caps a name at 255 octets on the wire, 253 as text, and
 * a label at 63. Anything longer is not a host name (core/hostname.c). */
#define LIMIT_HOSTNAME_BYTES       253
#define LIMIT_HOSTNAME_LABEL_BYTES 63

/* Distinct policy domains, and distinct MX host names (receiving-mx-
 * hostname), in one report. RFC 8460 section 4 reports one recipient's
 * domains; real reports name 1 domain and at most a dozen MX hosts. The
 * caps are generous, and keep one report from filling every page and
 * /metrics with thousands of names. */
_Static_assert(LIMIT_HOSTNAME_BYTES <= LIMIT_STRING_BYTES, "a host name is one string value");

#define LIMIT_REPORT_DOMAINS  1000
#define LIMIT_REPORT_MX_HOSTS 2000

/* Counts are integers a double can hold exactly: JSON numbers are doubles
 * in cJSON, and 2^53-1 is the largest integer every JSON parser agrees on. */
#define LIMIT_COUNT_MAX 9007199254740991LL

/* Years accepted in date-range. Reports describe recent days; anything far
 * outside this window is a broken or hostile clock. */
#define LIMIT_YEAR_MIN 2000
#define LIMIT_YEAR_MAX 2200

/* How far a report's start-datetime may lie ahead of this host's clock. A
 * report describes days past (RFC 8460 section 4.1: sent after its
 * period), so one about next year is forged or from a broken clock; two
 * days allow a reporter's local-time day and a clock a little ahead.
 * Refused at ingest: on PostgreSQL each new month of report days makes
 * partitions (docs/postgresql.md), and 2,400 forged months up to year
 * 2200 left ingest crawling and 'db check' out of lock memory. */
#define LIMIT_REPORT_AHEAD_SECONDS (2LL * 86400LL)

/* A date-range longer than this is not a daily (or weekly) report. RFC 8460
 * section 4.1 describes daily reports; 31 days tolerates odd senders. */
#define LIMIT_RANGE_SECONDS (31LL * 86400LL)

/* Inputs committed per SQLite transaction when ingesting many: one fsync
 * per batch instead of one per report, and a crash loses no more than the
 * uncommitted batch, which a re-run ingests again (dedupe makes it safe).
 * 5000 generated reports are about 20 MB of WAL. */
#define LIMIT_BATCH_REPORTS 5000

/* Roll-up rows one SQLite ingest batch sums in memory before it writes
 * them (store/sqlite_write_batch.c): a batch of LIMIT_BATCH_REPORTS bench
 * reports touches about 7,000, each ~150 bytes; past this many they are
 * written early, so a batch of reports with many domains and MX hosts
 * stays within a few MB. */
#define LIMIT_ROLLUP_BATCH_ROWS 20000

/* PostgreSQL: a batch's new rows are held in memory and sent as one binary
 * COPY per table once they reach this many bytes (or LIMIT_BATCH_REPORTS):
 * few round trips, and the memory of a batch stays bounded. Each table's
 * buffer may grow past it by one report of the largest size. */
#define LIMIT_PG_BATCH_BYTES (16u * 1024u * 1024u)

/* PostgreSQL: report keys 'tlswatch ingest' looks up in one statement for
 * the inputs it has decoded ahead (store_prefetch_reports), instead of a
 * round trip per report; the reader holds at most 64 inputs ahead, a
 * mail several reports each. The statement's JSON parameter stays below
 * this many keys times the longest organization and report-id. */
#define LIMIT_PG_PREFETCH_KEYS 256

/* PostgreSQL: alerts whose sent state 'alert' reads in one statement
 * (query_alert_sent_many), instead of one or two round trips per alert. A
 * run has a few dozen usually and is not bounded (domains x MX x result
 * types x days judged): the arrays of one statement hold at most this
 * many keys, five strings each. */
#define LIMIT_PG_ALERT_KEYS 512

/* PostgreSQL: report keys one ingest transaction locks when several
 * writers share the store (store/pg_write_lock.c) before it commits and
 * goes on in a new one. Advisory locks take slots of the server's shared
 * lock table, about max_locks_per_transaction (64) times max_connections
 * (100) on a default server: ten writers at this many stay well inside. */
#define LIMIT_PG_KEY_LOCKS 512

/* Times an SQLite store's open (journal mode, migrations) is tried again
 * when the file was locked without the busy handler being asked: two
 * processes creating one store at once can each hold what the other
 * needs, and SQLite answers one of them SQLITE_BUSY at once rather than
 * deadlock. 100 tries 20 ms apart: two seconds, far beyond the race. */
#define LIMIT_SQLITE_OPEN_TRIES 100

/* 'tlswatch ingest' decodes the next inputs on a second thread while it
 * stores the current one: inputs decoded ahead, and their bytes (input
 * and inflated JSON; one larger input still passes, alone). 64 reports
 * are ~3 ms of work, enough to keep both threads busy; 32 MiB bounds the
 * memory whatever the inputs. */
#define LIMIT_INGEST_QUEUE_INPUTS 64
#define LIMIT_INGEST_QUEUE_BYTES  (32u * 1024u * 1024u)

/* 'tlswatch ingest DIR': directories below DIR it descends into. A report
 * archive is sorted by year/month/day or by sender, a few levels deep. */
#define LIMIT_INGEST_DIR_DEPTH 32

/* 'tlswatch ingest --from FILE': names read (the operator's list, held
 * in memory: ~100 bytes each). Ten million is years of reports for a
 * large provider and stays well inside an int count. */
#define LIMIT_INGEST_NAMES 10000000u

/* Untrusted strings echoed in logs and errors are cut to this many bytes. */
#define LIMIT_LOG_STRING 160

/* One error line: the size of every caller's error buffer (char
 * err[ERR_LINE_MAX], passed on as err, sizeof(err)). A message names the
 * cause, a JSON path or a file name, and untrusted strings cut to
 * LIMIT_LOG_STRING and escaped (up to 4 bytes each); 1 KiB holds that,
 * and a longer message is cut, never overrun. */
#define ERR_LINE_MAX 1024

/* Mail: MIME nesting (forwarded message/rfc822 inside multipart inside ...).
 * Real reports are 2 deep; a forward of a forward is 6. */
#define LIMIT_MIME_DEPTH 16

/* Mail: MIME parts in one message. A report mail has 2-3 parts. */
#define LIMIT_MIME_PARTS 256

/* Mail: one header line (unfolded). RFC 5322 section 2.1.1 caps lines at
 * 998 octets; a folded Subject or DKIM-Signature stays well under 16 KiB. */
#define LIMIT_HEADER_BYTES (16u * 1024u)

/* Mail: reports carried by one message. Senders send one per message. */
#define LIMIT_REPORTS_PER_MESSAGE 64

/* Mail: Authentication-Results and DKIM-Signature fields kept per message
 * for later verification. Each hop adds one or two; 64 is a long path. */
#define LIMIT_AUTH_HEADERS 64

/* Trust (docs/trust.md): DKIM signatures verified per message. A report
 * mail carries one, a forwarded one a few; each costs a DNS lookup, so a
 * message with hundreds cannot make us query hundreds of times. */
#define LIMIT_DKIM_SIGNATURES 8

/* Trust: a domain name (RFC 1035 section 2.3.4: 255 octets on the wire,
 * at most 253 as text). */
#define LIMIT_DOMAIN_BYTES 253

/* Trust: seconds per DKIM key lookup when none is configured. Long enough
 * for a slow authoritative server, short enough that a silent one gives
 * temperror (the mail is held and retried) before cron's next run. */
#define LIMIT_DKIM_DNS_TIMEOUT_DEFAULT 5
#define LIMIT_DKIM_DNS_TIMEOUT_MAX     60

/* Trust: [trust] domains and [web] intake_allow entries. More would be a
 * configuration generator's bug, not a mail system. */
#define LIMIT_TRUST_DOMAINS 256
#define LIMIT_INTAKE_ALLOW  64

/* Mail: RFC 2231 continuation sections joined for one parameter
 * (filename*0, filename*1, ...). A 255-byte file name needs at most 8. */
#define LIMIT_PARAM_SECTIONS 64

/* IMAP: certificates accepted in a server's chain. Real chains are 2-4
 * long; the cap bounds the work a hostile server can make us do. */
#define LIMIT_TLS_CHAIN 16

/* IMAP: the password or OAuth token read from password_file or
 * password_command. OAuth access tokens from large providers run to a few
 * KiB; 64 KiB leaves room and stops a runaway command. */
#define LIMIT_SECRET_BYTES (64u * 1024u)

/* IMAP: every byte the server sends passes collector/imap_guard.c before
 * libetpan parses it (Debian 12's libetpan ignores its own size ceiling
 * and allocates whatever literal size the server announces).
 *
 * One response line, literals excluded. The longest line the collector
 * asks for is a CAPABILITY or LIST answer, well under 4 KiB. */
#define LIMIT_IMAP_LINE_BYTES (64u * 1024u)

/* Parentheses nested in one response. What the collector asks for nests 2
 * deep (FETCH (FLAGS (...))); only a BODYSTRUCTURE, never asked for, goes
 * deeper, and libetpan parses it by recursion (200,000 deep overflowed its
 * stack). */
#define LIMIT_IMAP_DEPTH 8

/* A literal in the answer to anything but a body fetch (a folder name in
 * LIST, a greeting): folder names are at most a few hundred bytes. */
#define LIMIT_IMAP_LITERAL_SMALL (64u * 1024u)

/* The whole answer to one command other than the message list or a body
 * fetch (greeting, CAPABILITY, LOGIN, LIST, SELECT, MOVE): honest answers
 * are a few KiB. */
#define LIMIT_IMAP_COMMAND_BYTES (1u * 1024u * 1024u)

/* The message list asks for UID and RFC822.SIZE of this many UIDs at a
 * time: libetpan keeps ~420 bytes per answer (measured: 4 MiB of answers
 * took 48 MB), so one answer stays near 4 MB. A day of a busy rua
 * mailbox is a few hundred messages. */
#define LIMIT_IMAP_LIST_WINDOW 10000u

/* The answer to one listing: a line per UID, at most 61 bytes
 * ("* N FETCH (UID N RFC822.SIZE N)" with 10-digit numbers). */
#define LIMIT_IMAP_LIST_BYTES (LIMIT_IMAP_LIST_WINDOW * 64u + LIMIT_IMAP_LINE_BYTES)

/* A body fetch may exceed the sizes the server announced (RFC822.SIZE) by
 * this per message, and 1/8 more: the FETCH line around the literal, and
 * servers whose announced size is approximate. */
#define LIMIT_IMAP_FETCH_OVERHEAD 4096u

/* Responses (lines) in the answer to one command: libetpan keeps ~400
 * bytes for each however small, so a byte budget alone would let a flood
 * of tiny responses grow memory 20 times faster. Ordinary commands: a
 * MOVE of a batch answers with an EXPUNGE per message (at most
 * LIMIT_IMAP_BATCH_MAX), LIST with a line per folder. A listing or a
 * body fetch: a response per UID asked for, and this many unsolicited
 * ones (flag changes, EXISTS) besides. */
#define LIMIT_IMAP_COMMAND_RESPONSES 4096u
#define LIMIT_IMAP_UNSOLICITED       256u

/* Bytes on one connection. A run looks at LIMIT_IMAP_MESSAGES_PER_RUN
 * messages at most, and report mail is well under 20 KiB each. */
#define LIMIT_IMAP_CONNECTION_BYTES (2ull * 1024u * 1024u * 1024u)

/* password_command: seconds it may run (the password_command_timeout
 * key's default and maximum). A secret helper answers in well under a
 * second; one that hangs must not hold the collect lock. */
#define LIMIT_SECRET_SECONDS_DEFAULT 30
#define LIMIT_SECRET_SECONDS_MAX     600

/* IMAP: a folder name from the configuration, as sent to the server.
 * Dovecot caps a mailbox name at 1,000 bytes or less per level. */
#define LIMIT_IMAP_FOLDER_BYTES 1024

/* IMAP: UIDs per UID FETCH round trip (the batch_size key's default and
 * maximum). One batch is one commit (an fsync), one MOVE and one state
 * update; Dovecot's MOVE out of a 10,000-message Maildir took 10-40 ms
 * for 100 messages and 27 ms for 500 (a cost per command more than per
 * message), so batches of 100 spent half a run moving
 * (docs/performance.md). 500 report messages are ~1 MB a round trip. */
#define LIMIT_IMAP_BATCH_DEFAULT 500
#define LIMIT_IMAP_BATCH_MAX     1000

/* IMAP: message bytes fetched in one UID FETCH (by RFC822.SIZE). A
 * batch is held in memory until it is committed; this bounds that memory
 * whatever batch_size says (collect stays under 64 MB). A message larger
 * than this is fetched alone. */
#define LIMIT_IMAP_BATCH_BYTES LIMIT_INPUT_BYTES

/* IMAP: messages looked at in one run. A rua mailbox receives a few
 * hundred reports a day; the cap bounds the UID list held in memory, and
 * the next run continues where this one stopped. */
#define LIMIT_IMAP_MESSAGES_PER_RUN 100000

/* IMAP: the answer to one command may take this many times the timeout
 * key (60 s: 10 minutes), however slowly the server trickles it; the
 * timeout alone restarts with every byte. A 16 MiB body at 30 KiB/s
 * still arrives. */
#define LIMIT_IMAP_COMMAND_TIMEOUTS 10

/* IMAP: passes over the folder in one run: after the first, collect looks
 * again only while a fresh SELECT shows mail that arrived meanwhile. A
 * few are plenty; a server whose UIDNEXT grows forever cannot keep the
 * run (and its lock) going. */
#define LIMIT_IMAP_PASSES 8

/* Analyzer: --domain filters in one query. Each is a bound SQL parameter;
 * a postmaster names a handful, a script a few dozen. */
#define LIMIT_FILTER_DOMAINS 256

/* Analyzer: "Nd" periods (--since, --window, --baseline, --repeat-after).
 * A century is far past any retention; longer is a typo. */
#define LIMIT_PERIOD_DAYS 36525
/* 'tlswatch alert --lookback': each day looked back at may be judged again,
 * a full evaluation of its window and baseline. Reports come a day or two
 * late, a few a week late; a failure two months old is no longer news. */
#define LIMIT_ALERT_LOOKBACK_DAYS 62
/* Reporters named in one alert: a line stays readable; the rest are
 * counted ("and 3 more"). */
#define LIMIT_ALERT_REPORTERS 5

/* Analyzer: one summary document (JSON, CSV, HTML, text). Even thousands
 * of domains over a year fit in a few MiB; past this the filter is wrong. */
#define LIMIT_SUMMARY_BYTES (64u * 1024u * 1024u)

/* CLI: the longest period (days) whose summary reads the period before
 * on its own handle, not beside (cmd_summary). The days not in yet, read
 * beside, cost about the same for any period; a week's breakdowns cost
 * less, so reading the week before first made them come later (10M
 * reports: 7 days 45 -> 50 ms on SQLite, 74 -> 81 ms on PostgreSQL),
 * where 14 days gained (70 -> 61, 91 -> 88) and 30 days more
 * (docs/performance.md, "The 10M store on PostgreSQL at schema 32"). */
#define LIMIT_SUMMARY_PREV_ALONE_DAYS 7

/* Analyzer: rows per list of one summary (by domain, organisation, MX
 * host, result type). Thousands of names, sent to fill it, would make the
 * document megabytes; the rest are counted ("by_mx_more") and reached
 * with a narrower filter or the dashboard's paged lists. */
#define LIMIT_SUMMARY_ROWS 500

/* Analyzer: distinct (failure-reason-code, result type) pairs read to
 * group reasons (analyzer/reasons.c). Senders put host names and numbers
 * in the text, so a month has hundreds; a report crafted to name millions
 * is cut here, most failed first. */
#define LIMIT_REASON_ROWS 5000

/* Analyzer on PostgreSQL: the aggregate rows of a provenance filter's
 * reports, counted again and sent to the server as one JSON value (about
 * 150 bytes a row, a few rows a report): some 200,000 reports a query.
 * Past it the query fails with the reason instead of growing. */
#define LIMIT_PROVENANCE_JSON_BYTES (128u * 1024u * 1024u)

/* Store on PostgreSQL: reports read back from their rows at once ('db
 * recount', the provenance filter; store/pg_readback.c), sent as arrays
 * of ids and days (21 bytes a value). A round is three statements
 * whatever its size; 500 reports' rows are a few thousand. */
#define LIMIT_READBACK_REPORTS 500

/* ... and the policies, failure details and mx-host entries of one
 * round: a damaged store's reports with thousands of rows each are read
 * a few at a time, a few MB, not a page's worth at once. */
#define LIMIT_READBACK_ROWS 50000

/* Analyzer: reports listed per page ('tlswatch reports --limit'). */
#define LIMIT_REPORT_PAGE 1000

/* Alert delivery: a webhook that has not answered in this many seconds is
 * down; cron must not hang on it (connect phase, then the whole request). */
#define LIMIT_WEBHOOK_CONNECT_SECONDS 10
#define LIMIT_WEBHOOK_SECONDS         30

/* Alert delivery: an --exec command still running after this is killed,
 * so a stuck mailer cannot pile up cron jobs. */
#define LIMIT_EXEC_SECONDS 60

/* Web: connections served at once, over all clients. Each holds at most
 * LIMIT_WEB_CONNECTION_MEMORY plus, on the intake, its body; 256 is far
 * more than a dashboard and a few senders need and keeps file descriptors
 * well under the usual 1024 soft limit. */
#define LIMIT_WEB_CONNECTIONS 256u

/* Web: connections from one client address. A browser opens 6 per host;
 * a sender posts one report at a time. One address cannot take the rest. */
#define LIMIT_WEB_CONNECTIONS_PER_IP 16u

/* Web: seconds a connection may stay idle (no byte received or sent)
 * before it is closed: slow clients cannot hold connections forever. */
#define LIMIT_WEB_TIMEOUT_SECONDS 30u

/* Web: seconds one request may take from its first byte to the end of
 * its answer, however steadily the client trickles bytes (the idle
 * timeout above restarts with each one). A 10 MiB report at 200 KB/s
 * fits; a slowloris client is cut off. [web] request_timeout overrides. */
#define LIMIT_WEB_REQUEST_SECONDS 60u

/* Web: libmicrohttpd's memory pool per connection (request line, headers,
 * read buffer). Our URLs are short; 64 KiB refuses giant headers early. */
#define LIMIT_WEB_CONNECTION_MEMORY ((size_t)64u * 1024u)

/* Web: worker threads per listener. Pages are quick SQLite reads; four
 * threads keep a slow page from blocking the others. */
#define LIMIT_WEB_THREADS 4u

/* Web intake: one POST body. RFC 8460 section 5.2's 10 MB, the same cap as
 * a report file (gzip'd or JSON); checked against Content-Length and again
 * while the body streams in. */
#define LIMIT_WEB_INTAKE_BODY_BYTES LIMIT_COMPRESSED_BYTES

/* Web intake: bytes of POST bodies held in memory at once, over every
 * connection: 6 full-size reports. Past it a sender gets 503 and retries
 * later, instead of the server growing by connections x body size. */
#define LIMIT_WEB_INTAKE_BUFFERED_BYTES ((size_t)64u * 1024u * 1024u)

/* Web intake: what one client may send (web/budget.c; the [web] keys
 * intake_rate, intake_client_bytes and intake_day_bytes override them).
 * A sender posts one report per policy domain a day; a provider reporting
 * for a large host may post thousands, a few KiB each. 60 a minute (a
 * minute's worth at once), 128 MiB per client and 1 GiB over all clients
 * a day leave honest senders far inside and stop one client from filling
 * the disk (each refused 10 MiB POST used to be kept whole). */
#define LIMIT_WEB_INTAKE_POSTS_PER_MINUTE 60u
#define LIMIT_WEB_INTAKE_CLIENT_DAY_BYTES (128LL * 1024 * 1024)
#define LIMIT_WEB_INTAKE_DAY_BYTES        (1024LL * 1024 * 1024)

/* Web intake: clients whose budgets are remembered. Past this, the one
 * seen longest ago is forgotten; the total over all clients still holds. */
#define LIMIT_WEB_INTAKE_CLIENTS 1024u

/* Web intake: a refused POST larger than this keeps only its first bytes
 * and the SHA-256 of the whole in quarantine: enough to see what it was
 * (a real report is 0.5-15 KiB) without storing 10 MiB of garbage. */
#define LIMIT_WEB_QUARANTINE_KEEP_BYTES (64u * 1024u)

/* Quarantine: data held ([quarantine] max_bytes) and days kept
 * ([quarantine] keep_days) by default, for 'tlswatch quarantine prune'.
 * Past max_bytes the intake keeps only the record (who, when, why,
 * SHA-256, size) of a refused POST, not its bytes. */
#define LIMIT_QUARANTINE_MAX_BYTES (256LL * 1024 * 1024)
#define LIMIT_QUARANTINE_KEEP_DAYS 90

/* Web: a query string. Every link the dashboard makes is well under 1 KiB;
 * 8 KiB leaves room for a few dozen domain filters. */
#define LIMIT_WEB_QUERY_BYTES 8192u

/* Web: parameters in one query string (domain may repeat). */
#define LIMIT_WEB_QUERY_PARAMS 64u

/* Web: one HTML page or API document (the summary document has its own,
 * LIMIT_SUMMARY_BYTES). Lists are paginated, so 16 MiB is never reached
 * by honest data; past it the request fails with 500 instead of growing. */
#define LIMIT_WEB_PAGE_BYTES (16u * 1024u * 1024u)

/* Web: rows per page of a list (reports, quarantine, failure groups) when
 * the query string asks for none; at most LIMIT_REPORT_PAGE. */
#define LIMIT_WEB_PAGE_ROWS 50

/* Web: bytes of series on /metrics, shared by its four families (each
 * gets an even part of what the ones before it left). A byte budget, not a
 * count of series, because bytes are what a scraper pays for (Prometheus
 * reads the whole body within its 10 s scrape timeout, and a body_size_limit
 * refuses it whole): a provider's 500 domains with metrics_labels = domain
 * make about 0.8 MB and fit, while a flood of 253-byte names stops at the
 * same 2 MiB as short ones. Past its part a family ends with a '# tlswatch:
 * truncated' comment (ignored by Prometheus) and the series left out are
 * counted in tlswatch_metrics_series_dropped (docs/web.md). */
#define LIMIT_WEB_METRICS_BYTES (2u * 1024u * 1024u)

/* Web: one value shown on a report's page (its policy lines or MX hosts
 * joined): a page shows the start of a longer one and says where the rest
 * is, so one report cannot make its page megabytes. */
#define LIMIT_WEB_VALUE_SHOWN (4u * 1024u)

/* Policy domains listed per report in a report list ('reports --format
 * json', /api/v1/reports); the rest are counted in policy_domains_more,
 * and 'show ID' has them all. */
#define LIMIT_REPORT_LIST_DOMAINS 20u

/* Web: /api/v1/reports/ID whole (the CLI's 'show --format json'). A real
 * report's document is a few KiB; a larger one is answered cut: a page of
 * policies, 50 failure details each, no raw JSON, and what was left out. */
#define LIMIT_WEB_API_REPORT_BYTES (1024u * 1024u)

/* Web: raw report JSON shown inline on a report's page. Real reports are
 * 0.5-15 KiB; a larger one is cut there (the API returns it whole). */
#define LIMIT_WEB_RAW_SHOWN (256u * 1024u)

/* Web: days drawn as separate bars in the daily chart. A longer period is
 * drawn in buckets of several days, so the SVG stays small. */
#define LIMIT_WEB_CHART_BARS 400

/* Web auth: the auth file (user:hash lines) and users in it. An operator
 * file with a handful of users; the caps refuse a wrong file early. */
#define LIMIT_WEB_AUTH_FILE_BYTES (64u * 1024u)
#define LIMIT_WEB_AUTH_USERS      256

/* Web auth: a password as given in Basic credentials. crypt(3) work grows
 * with the input for some methods; 1 KiB is more than any passphrase. */
#define LIMIT_WEB_PASSWORD_BYTES 1024u

/* Web auth: recently verified credentials kept (as salted SHA-256) so a
 * browser loading a page and its stylesheet does not cost a yescrypt run
 * per request; entries expire, so a removed user loses access quickly. */
#define LIMIT_WEB_AUTH_CACHE         32
#define LIMIT_WEB_AUTH_CACHE_SECONDS 300

/* Web: responses kept until the database changes (web/cache.h). A page
 * over a year of reports is 30-80 KiB; 256 of them in 32 MiB cover every
 * page a team looks at, and a response over 4 MiB (a huge --all summary)
 * is cheaper to recompute than to hold. */
#define LIMIT_WEB_CACHE_BYTES       (32u * 1024u * 1024u)
#define LIMIT_WEB_CACHE_ENTRIES     256u
#define LIMIT_WEB_CACHE_ENTRY_BYTES (4u * 1024u * 1024u)

/* check: a name or URI read from DNS or a policy (host names are at most
 * 253 octets; a rua URI with its mailto: or https:// prefix a little more). */
#define LIMIT_CHECK_NAME_BYTES 320

/* check: rua URIs in one _smtp._tls record. Senders use one or two (and
 * Microsoft only the first); 16 bounds a hostile record. */
#define LIMIT_TLSRPT_RUA 16

/* check: mx lines in one MTA-STS policy. Real policies list one to a dozen
 * MX patterns; 64 leaves room for a large provider. */
#define LIMIT_STS_POLICY_MX 64

/* check: an MTA-STS policy body. Real ones are 100-500 bytes; 64 KiB is the
 * cap common MTA-STS implementations apply, and stops a stream. */
#define LIMIT_STS_POLICY_BYTES (64u * 1024u)

/* RFC 8461 section 3.2: max_age is at most 31557600 seconds (one year). */
#define LIMIT_STS_MAX_AGE 31557600

/* check: domains in one run, MX hosts per domain, TXT or TLSA records per
 * name. A provider checks hundreds of domains from cron; a domain has a
 * handful of MX hosts; more answers than these are a hostile zone. */
#define LIMIT_CHECK_DOMAINS 4096
#define LIMIT_CHECK_MX      32
#define LIMIT_CHECK_RECORDS 64

/* check: findings about one domain: a few for its records and policy, four
 * or five per MX host (LIMIT_CHECK_MX), one per unmatched mx pattern
 * (LIMIT_STS_POLICY_MX). */
#define LIMIT_CHECK_FINDINGS 256
_Static_assert(LIMIT_CHECK_FINDINGS >= 8 + 5 * LIMIT_CHECK_MX + LIMIT_STS_POLICY_MX,
               "room for every finding a domain at the MX and pattern limits can have");

/* check history (schema/011): results read back for one domain. A daily
 * cron run makes 365 a year; 'check --history' and the drift and
 * readiness reads look back further than any max_age (a year at most,
 * LIMIT_STS_MAX_AGE) with room for runs by hand. */
#define LIMIT_CHECK_HISTORY 2000
/* check history: the TLSA lines kept for one run (a line is under 160
 * bytes for a SHA-512 record): every record of LIMIT_CHECK_MX hosts with
 * a rollover pair each fits; more is cut at a line end. */
#define LIMIT_CHECK_TLSA_TEXT (16u * 1024u)
/* drift: distinct (reporter, policy-string, mx-host) combinations read for
 * one domain and period. A domain hears from a hundred reporters; each
 * applies one or two policies a month; more is a hostile reporter
 * varying the strings. */
#define LIMIT_POLICY_SEEN 2000

/* published vs reported: notes kept for one domain (a verdict, an MX or
 * certificate note per MX host, a stale policy per reporter); past it the
 * last note says how many more there were. */
#define LIMIT_PUBLISHED_NOTES 64
/* published vs reported: one note's text (a reporter's name, a policy
 * difference, three dates and a host name fit). */
#define LIMIT_PUBLISHED_NOTE_TEXT 768

/* DANE results at a domain's MX hosts (analyzer/mxdane.c, docs/counting.md
 * rule 5): MX hosts shown for the domains of one filter. A domain has a
 * handful (LIMIT_CHECK_MX in DNS); a reported mx-host list made long, or
 * a wildcard matching many names, is cut here, the rest counted. */
#define LIMIT_MXDANE_HOSTS 64
/* ... and the filtered domains it is read for: each reads a week of
 * reports for the domain's mx-host lists (no index by domain), so a filter
 * of the full LIMIT_FILTER_DOMAINS would read that week hundreds of times.
 * A postmaster's domain page names one; the rest are counted. */
#define LIMIT_MXDANE_DOMAINS 16

/* check: one line of an SMTP reply and lines in one reply (RFC 5321
 * section 4.5.3.1.5 sets 512 octets for a reply line; EHLO lists a dozen
 * extensions). */
#define LIMIT_SMTP_LINE_BYTES  1024
#define LIMIT_SMTP_REPLY_LINES 64

/* OAuth: a token endpoint's response. Microsoft and Google answer with
 * 1-5 KiB (an access token of a few KiB, an id or refresh token); 256 KiB
 * leaves room and stops a hostile or broken endpoint from streaming. */
#define LIMIT_OAUTH_RESPONSE_BYTES (256u * 1024u)

/* OAuth: a private key or certificate file (PEM). An RSA 4096 key is about
 * 3.3 KiB, a certificate chain a few KiB; a Google service-account key
 * file (JSON with the key inside) about 2.4 KiB. */
#define LIMIT_OAUTH_KEY_BYTES (64u * 1024u)

/* OAuth: a token URL, tenant, client id, scope or user as configured. */
#define LIMIT_OAUTH_FIELD_BYTES 1024u

/* OAuth: a cached access token is used until this many seconds before it
 * expires (or a tenth of its lifetime, if shorter), so it cannot expire
 * between being read and the IMAP login; providers issue 1 hour tokens. */
#define LIMIT_OAUTH_EXPIRY_MARGIN 300

/* OAuth: the token endpoint must connect and answer within these; cron
 * must not hang on an identity provider that is down. */
#define LIMIT_OAUTH_CONNECT_SECONDS 10
#define LIMIT_OAUTH_SECONDS         30

/* OAuth: a signed JWT assertion lives this long (Microsoft accepts at most
 * 10 minutes for a client assertion, Google at most one hour). */
#define LIMIT_OAUTH_ASSERTION_SECONDS 600

/* OAuth: 'tlswatch auth login' waits at most this long for someone to sign
 * in (Microsoft's device codes live 15 minutes, Google's 30). */
#define LIMIT_OAUTH_DEVICE_SECONDS 1800

/* Graph (collector/graph*.c): every answer of the Graph API is untrusted.
 *
 * A JSON answer (a page of the message list, a folder list, an error).
 * A page of LIMIT_GRAPH_PAGE_SIZE messages with only their id selected is
 * about 40 KiB; 4 MiB leaves room for servers that add properties. */
#define LIMIT_GRAPH_JSON_BYTES (4u * 1024u * 1024u)

/* JSON nesting in an answer: a message list nests 3 deep (object, value
 * array, message), an error 4 (error, innerError, ...). */
#define LIMIT_GRAPH_JSON_DEPTH 8

/* Messages asked for per page ($top; Graph accepts 1..1000). Few round
 * trips for a day's mail, and a page stays small. */
#define LIMIT_GRAPH_PAGE_SIZE 100

/* Pages followed through @odata.nextLink in one listing: the run's
 * message cap in pages, and more for pages a server leaves short. An
 * endless nextLink loop stops here. */
#define LIMIT_GRAPH_PAGES (LIMIT_GRAPH_MESSAGES_PER_RUN / LIMIT_GRAPH_PAGE_SIZE + 100)

/* Messages looked at in one run (as LIMIT_IMAP_MESSAGES_PER_RUN): bounds
 * the id list held in memory; the next run continues, as collected mail
 * has left the folder. */
#define LIMIT_GRAPH_MESSAGES_PER_RUN 20000

/* A message or folder id, or an @odata.nextLink. Exchange ids are about
 * 150 bytes of base64; a nextLink carries the query and a skip token. */
#define LIMIT_GRAPH_ID_BYTES   512
#define LIMIT_GRAPH_LINK_BYTES 8192

/* Folders listed to find one by its displayName (a mailbox has dozens,
 * rarely hundreds), and the levels of a configured folder path. */
#define LIMIT_GRAPH_FOLDERS      5000
#define LIMIT_GRAPH_FOLDER_DEPTH 8

/* Throttling (429, 503, 504): one wait is at most this long whatever
 * Retry-After asks for, and all waits of a run add up to at most the
 * total; past it the run stops and the next one continues. Graph asks
 * for a few to a few dozen seconds. */
#define LIMIT_GRAPH_RETRY_WAIT_SECONDS  120
#define LIMIT_GRAPH_RETRY_TOTAL_SECONDS 600
/* Tries of one request while throttled: a server that answers 429 with
 * Retry-After: 0 forever is not waited for forever. */
#define LIMIT_GRAPH_RETRIES 8

/* Limits that guard each other (SQLite's sqliteLimit.h does it with
 * #error): a change to one that breaks another stops the build. */
_Static_assert(4 * LIMIT_LOG_STRING + 256 <= ERR_LINE_MAX,
               "an escaped untrusted string and the words around it fit one error line");
_Static_assert(LIMIT_JSON_BYTES <= LIMIT_INPUT_BYTES &&
                   LIMIT_COMPRESSED_BYTES / 3 * 4 <= LIMIT_INPUT_BYTES,
               "a whole input holds a report of the largest size, base64-encoded in a mail");
_Static_assert(LIMIT_GRAPH_PAGE_SIZE >= 1 && LIMIT_GRAPH_PAGE_SIZE <= 1000,
               "Graph accepts $top from 1 to 1000");
_Static_assert(LIMIT_GRAPH_RETRY_WAIT_SECONDS <= LIMIT_GRAPH_RETRY_TOTAL_SECONDS,
               "one wait fits the run's total");
_Static_assert(LIMIT_IMAP_BATCH_DEFAULT <= LIMIT_IMAP_BATCH_MAX,
               "the default batch_size is one batch_size accepts");
_Static_assert(LIMIT_WEB_QUERY_PARAMS <= LIMIT_FILTER_DOMAINS,
               "every domain= of a query string passes the store's filter bound");
_Static_assert(LIMIT_WEB_PAGE_ROWS <= LIMIT_REPORT_PAGE,
               "the web's default page size is within page_size's range");
_Static_assert(LIMIT_WEB_INTAKE_BODY_BYTES <= LIMIT_WEB_INTAKE_BUFFERED_BYTES,
               "one report of the largest size can always be buffered by the intake");
_Static_assert(LIMIT_WEB_CONNECTIONS_PER_IP <= LIMIT_WEB_CONNECTIONS,
               "one client's share is within the total");
_Static_assert(LIMIT_WEB_CACHE_ENTRY_BYTES <= LIMIT_WEB_CACHE_BYTES &&
                   LIMIT_WEB_CACHE_ENTRY_BYTES <= LIMIT_WEB_PAGE_BYTES,
               "a kept response fits the cache, and a fresh response's body (web/cache.c)");

#endif
