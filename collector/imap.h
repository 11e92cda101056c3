/*
 * imap.h - an IMAP session for the collector, behind one door: imap.c is
 * the only file that includes libetpan's IMAP API. This interface is
 * libetpan-free.
 *
 * Input: everything the server sends is untrusted (message bodies, sizes,
 * response text). TLS is mandatory: the server's certificate chain and
 * host name are verified before any credential is sent, unless the
 * operator explicitly sets tls_verify = no. The secret (password or OAuth
 * token) never appears in argv, logs or errors and is wiped after LOGIN.
 *
 * Errors are one line naming the server and the step:
 *   "imap mail.example.org:993: login: server said: [AUTHENTICATIONFAILED] ..."
 */
#ifndef TLSWATCH_IMAP_H
#define TLSWATCH_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "oauth.h"

enum imap_tls { IMAP_TLS_IMAPS, IMAP_TLS_STARTTLS };
enum imap_auth { IMAP_AUTH_LOGIN, IMAP_AUTH_XOAUTH2 };

/* The [imap] section, checked. Strings are borrowed from the config. */
struct imap_config {
	const char *host;
	uint16_t port;
	enum imap_tls tls;
	int tls_verify;      /* 0 only when tls_verify = no */
	const char *ca_file; /* NULL: system trust */
	const char *user;
	const char *password_file;
	const char *password_command;
	long password_timeout; /* seconds password_command may run */
	enum imap_auth auth;
	const struct oauth_config *oauth; /* xoauth2 tokens from [oauth], or NULL */
	const char *folder;               /* default INBOX */
	const char *processed_folder;     /* NULL: leave in place */
	const char *invalid_folder;
	const char *other_folder;
	long timeout; /* seconds, per network operation */
	size_t batch_size;
	char server[300]; /* "host:port", for errors and state */
};

/* Reads and checks [imap] from cfg; folder_override (--folder) replaces
 * 'folder' when not NULL. With auth = xoauth2 and an [oauth] section, no
 * password_file or password_command is needed: the caller sets ic->oauth.
 * 0, or -1 with "[imap] KEY: reason". */
int imap_config_load(const struct config *cfg, const char *folder_override, struct imap_config *ic,
                     char *err, size_t errlen);

struct imap_session;

/* Connects (imaps, or plain + STARTTLS), verifies the certificate chain
 * and host name, reads the secret, logs in (LOGIN or XOAUTH2) and learns
 * the capabilities the server announces after login. A PREAUTH greeting
 * on a connection that is not yet encrypted, and any STARTTLS failure,
 * are refused: there is never a plaintext fallback. debug: log the
 * protocol exchange (with -vv), never authentication data.
 * 0 with *out set, or -1 with the reason. */
int imap_open(const struct imap_config *ic, int debug, struct imap_session **out, char *err,
              size_t errlen);
/* Logs out (best effort) and frees. imap_close(NULL) is a no-op. */
void imap_close(struct imap_session *s);

/* The name the server knows a configured folder by: '/' in the
 * configuration is the hierarchy separator, written as the server's own
 * (LIST "" "" tells it; Dovecot's default Maildir++ layout uses '.', so
 * TLSRPT/processed is TLSRPT.processed there). A server without a
 * hierarchy refuses a name with '/'. 0 with out set, or -1. */
int imap_folder_name(struct imap_session *s, const char *configured, char *out, size_t outlen,
                     char *err, size_t errlen);

/* Creates folder (a server name) when LIST does not show it; in a dry run
 * only says (with -v) that a real run would. 0, or -1. */
int imap_ensure_folder(struct imap_session *s, const char *folder, int dry_run, char *err,
                       size_t errlen);

/* SELECT (or EXAMINE when readonly) folder. *uidvalidity is 0 when the
 * server sends none. 0, or -1. */
int imap_select(struct imap_session *s, const char *folder, int readonly, uint32_t *uidvalidity,
                char *err, size_t errlen);

/* A message in the selected folder: its UID and the size the server
 * announced (RFC822.SIZE), which is checked again against what arrives. */
struct imap_msg {
	uint32_t uid;
	uint32_t size;
};

/* Lists messages with after_uid < UID < UIDNEXT (as the last SELECT
 * reported it: later mail waits for a later listing), ascending, at most
 * max of them (the lowest). UIDs are asked for in windows of
 * LIMIT_IMAP_LIST_WINDOW (doubled past each empty one) until a window
 * holds messages or UIDNEXT is reached, so no answer holds more than a
 * window's worth. *covered: the highest UID looked at (the next listing
 * starts after it). A UID of 0 ends the session. *msgs is owned by the
 * caller (free()). 0, or -1. */
int imap_list_messages(struct imap_session *s, uint32_t after_uid, size_t max,
                       struct imap_msg **msgs, size_t *n, uint32_t *covered, char *err,
                       size_t errlen);

/* UIDNEXT as the last SELECT reported it (0: none). */
uint32_t imap_uidnext(const struct imap_session *s);

/* One fetched message body, pointing into the fetch that holds it. */
struct imap_body {
	uint32_t uid;
	const uint8_t *data; /* NULL: the server sent no body (expunged meanwhile) */
	size_t len;
	int truncated; /* only the first part was fetched (over the limit) */
};

struct imap_fetch;

/* Fetches BODY.PEEK[] (so \Seen is not set) of the n messages in one UID
 * FETCH and matches the responses by UID (unsolicited FETCH responses are
 * ignored). A message announced larger than max_len is fetched as its
 * first max_len bytes and marked truncated; so is a body that arrives
 * longer than announced. bodies[i].uid must be set by the caller; the rest
 * is filled in. The data lives until imap_fetch_free(*out). 0, or -1. */
int imap_fetch_bodies(struct imap_session *s, const struct imap_msg *msgs, size_t n, size_t max_len,
                      struct imap_body *bodies, struct imap_fetch **out, char *err, size_t errlen);
void imap_fetch_free(struct imap_fetch *f);

/* How messages can leave the folder: UID MOVE, UID COPY + \Deleted + UID
 * EXPUNGE (UIDPLUS), or not at all (neither MOVE nor UIDPLUS: a plain
 * EXPUNGE would also remove other clients' deleted mail). */
enum imap_move_how { IMAP_MOVE_MOVE, IMAP_MOVE_COPY, IMAP_MOVE_NONE };
enum imap_move_how imap_move_method(const struct imap_session *s);

/* Moves the n messages uids to folder as imap_move_method() says (never
 * with IMAP_MOVE_NONE). Messages are never deleted otherwise. 0, or -1. */
int imap_move(struct imap_session *s, const uint32_t *uids, size_t n, const char *folder, char *err,
              size_t errlen);

#endif
