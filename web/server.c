/*
 * server.c - the HTTP(S) side of 'tlswatch web' on libmicrohttpd: the only
 * file that includes microhttpd.h. It owns the listeners and their limits,
 * authentication, the per-request state and the security headers; pages
 * (router.c) and the intake (intake.c) never see the library. Requests
 * are untrusted: the URL is copied with MHD's own bound (the connection's
 * memory limit), bodies are taken only by the intake, under its caps.
 */
#include "server.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "deadline.h"
#include "escape.h"
#include "http.h"
#include "input.h"
#include "intake.h"
#include "limits.h"
#include "log.h"
#include "netaddr.h"
#include "parse_int.h"
#include "xalloc.h"

/* A PEM certificate chain or key file: a few KiB; the cap refuses a wrong
 * file before it is read whole. */
#define WEB_PEM_MAX        (1024u * 1024u)
#define WEB_REALM          "tlswatch"
#define WEB_TLS_PRIORITIES "NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1"

struct web_listener {
	struct web_app *app;
	int intake_only; /* the --intake-listen listener */
	int tls;
	struct deadline *deadline; /* shared by the listeners */
	char last_error[256];      /* MHD's last message, for start-up errors */
};

enum web_conn_kind { CONN_NEW, CONN_PAGE_WAIT, CONN_PAGE, CONN_INTAKE };

/* One request: made when its URL arrives, freed when it completes. */
struct web_conn {
	char *uri;
	enum web_conn_kind kind;
	struct intake_body body;
	int body_open;
	char client_ip[64];
};

static void *web_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct web_conn *conn = xcalloc(1, sizeof(*conn));
	const union MHD_ConnectionInfo *ci;

	(void)cls;
	conn->uri = xstrdup(uri != NULL ? uri : "");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	netaddr_format_ip(ci != NULL ? ci->client_addr : NULL, conn->client_ip,
	                  sizeof(conn->client_ip));
	return conn;
}

/* Every connection is watched from its first byte: the deadline covers
 * the request line and headers too, which no request callback sees. */
static void web_notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                                  enum MHD_ConnectionNotificationCode toe)
{
	struct web_listener *l = cls;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci != NULL ? deadline_add(l->deadline, ci->connect_fd) : NULL;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		/* before MHD closes the socket: the watchdog never sees it reused */
		deadline_remove(l->deadline, *socket_context);
		*socket_context = NULL;
	}
}

static void web_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                          enum MHD_RequestTerminationCode toe)
{
	struct web_listener *l = cls;
	struct web_conn *conn = *req_cls;
	const union MHD_ConnectionInfo *ci;

	(void)toe;
	/* a kept-alive connection's next request starts its own clock */
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL && ci->socket_context != NULL)
		deadline_restart(l->deadline, ci->socket_context);
	if (conn == NULL)
		return;
	if (conn->body_open)
		intake_body_free(l->app->intake, &conn->body);
	free(conn->uri);
	free(conn);
	*req_cls = NULL;
}

static void web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct web_listener *l = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	snprintf(l->last_error, sizeof(l->last_error), "%s", msg);
	log_debug("http: %s", esc(msg));
}

/* Queues status with body (taken over) and every response header. */
static enum MHD_Result web_send(struct MHD_Connection *c, struct web_conn *conn, const char *method,
                                struct web_response *r, int auth_fail)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;
	size_t len, i;
	char *body = strbuf_detach(&r->body, &len);

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	for (i = 0; i < web_n_security_headers; i++)
		MHD_add_response_header(resp, web_security_headers[i].name,
		                        web_security_headers[i].value);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        r->cacheable ? "public, max-age=3600" : "no-store");
	if (r->allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->retry_after > 0) {
		char secs[16];

		snprintf(secs, sizeof(secs), "%u", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	}
	if (auth_fail)
		rc = MHD_queue_basic_auth_fail_response(c, WEB_REALM, resp);
	else
		rc = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	log_verbose("%s %s %s %u", conn->client_ip, esc(method), esc(conn->uri),
	            auth_fail ? 401u : r->status);
	return rc;
}

static enum MHD_Result web_send_text(struct MHD_Connection *c, struct web_conn *conn,
                                     const char *method, unsigned status, const char *text,
                                     const char *allow, unsigned retry_after)
{
	struct web_response r;
	enum MHD_Result rc;

	web_response_init(&r);
	r.status = status;
	r.allow = allow;
	r.retry_after = retry_after;
	web_response_line(&r, text);
	rc = web_send(c, conn, method, &r, 0);
	web_response_free(&r);
	return rc;
}

/* 1 when the request carries credentials of a user in the auth file. */
static int web_authorized(struct web_app *app, struct MHD_Connection *c)
{
	char *user, *pass = NULL;
	int ok;

	if (app->auth == NULL)
		return 1;
	user = MHD_basic_auth_get_username_password(c, &pass);
	ok = web_auth_check(app->auth, user, pass);
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user != NULL)
		MHD_free(user);
	return ok;
}

/* The path part of a request URI (without query or fragment), in buf. */
static void web_split_uri(const char *uri, char *path, size_t pathlen, const char **query,
                          size_t *query_len)
{
	size_t n = strcspn(uri, "?#");
	const char *q = uri[n] == '?' ? uri + n + 1 : uri + n;

	snprintf(path, pathlen, "%.*s", (int)(n < pathlen - 1 ? n : pathlen - 1), uri);
	*query = q;
	*query_len = strcspn(q, "#");
}

static enum MHD_Result web_page_request(struct web_listener *l, struct MHD_Connection *c,
                                        struct web_conn *conn, const char *method, const char *path,
                                        const char *query, size_t query_len)
{
	struct web_request req;
	struct web_response r;
	enum MHD_Result rc;

	web_response_init(&r);
	/* /healthz reveals nothing but "ok": load balancers need no password */
	if (strcmp(path, "/healthz") != 0 && !web_authorized(l->app, c)) {
		r.status = 401;
		web_response_line(&r, "authentication required");
		rc = web_send(c, conn, method, &r, 1);
		web_response_free(&r);
		return rc;
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.query = query;
	req.query_len = query_len;
	req.client_ip = conn->client_ip;
	web_route(l->app, &req, &r);
	rc = web_send(c, conn, method, &r, 0);
	web_response_free(&r);
	return rc;
}

static enum MHD_Result web_intake_request(struct web_listener *l, struct MHD_Connection *c,
                                          struct web_conn *conn, const char *method,
                                          const char *upload_data, size_t *upload_data_size)
{
	struct intake_reply reply;

	if (conn->kind == CONN_NEW) {
		conn->kind = CONN_INTAKE;
		/* docs/trust.md: [web] intake_allow, before any body is read */
		if (!intake_client_allowed(l->app->intake, conn->client_ip))
			return web_send_text(c, conn, method, 403,
			                     "this address may not send reports here "
			                     "([web] intake_allow)",
			                     NULL, 0);
		if (intake_begin(method,
		                 MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_TYPE),
		                 MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH),
		                 &reply) < 0)
			return web_send_text(c, conn, method, reply.status, reply.message,
			                     reply.status == 405 ? "POST" : NULL, 0);
		intake_body_init(&conn->body);
		conn->body_open = 1;
		if (intake_admit(l->app->intake, &conn->body, conn->client_ip,
		                 MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH),
		                 &reply) < 0)
			return web_send_text(c, conn, method, reply.status, reply.message, NULL,
			                     reply.retry_after);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		intake_body_append(l->app->intake, &conn->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	intake_finish(l->app->intake, &conn->body, conn->client_ip, &reply);
	intake_body_free(l->app->intake, &conn->body);
	conn->body_open = 0;
	return web_send_text(c, conn, method, reply.status, reply.message, NULL, reply.retry_after);
}

/* 1 when the request announces a body (Content-Length other than 0, or a
 * Transfer-Encoding). */
static int web_has_body(struct MHD_Connection *c)
{
	const char *cl =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl != NULL && strcmp(cl, "0") != 0) ||
	       MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) !=
	           NULL;
}

static enum MHD_Result web_handler(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **req_cls)
{
	struct web_listener *l = cls;
	struct web_conn *conn = *req_cls;
	const char *query;
	size_t query_len;
	char path[1024];

	(void)url;
	(void)version;
	if (conn == NULL) /* the URI callback always runs first */
		return MHD_NO;
	if (conn->kind == CONN_INTAKE)
		return web_intake_request(l, c, conn, method, upload_data, upload_data_size);
	if (conn->kind == CONN_PAGE) {
		/* a body sent to a page: discard it, already answered */
		*upload_data_size = 0;
		return MHD_YES;
	}
	web_split_uri(conn->uri, path, sizeof(path), &query, &query_len);
	if (l->app->intake != NULL && strcmp(path, l->app->intake_path) == 0 &&
	    (l->intake_only || l->app->intake_on_dashboard))
		return web_intake_request(l, c, conn, method, upload_data, upload_data_size);
	/* a request without a body is answered on the second call: MHD
	 * closes the connection after a response queued on the first, and
	 * browsers, load balancers and wrk reuse theirs (keep-alive) */
	if (conn->kind == CONN_NEW && !web_has_body(c)) {
		conn->kind = CONN_PAGE_WAIT;
		return MHD_YES;
	}
	*upload_data_size = 0;
	conn->kind = CONN_PAGE;
	if (l->intake_only) {
		if (strcmp(path, "/healthz") == 0) {
			struct web_request req;
			struct web_response r;
			enum MHD_Result rc;

			memset(&req, 0, sizeof(req));
			req.method = method;
			req.path = path;
			req.query = "";
			req.client_ip = conn->client_ip;
			web_response_init(&r);
			web_route(l->app, &req, &r);
			rc = web_send(c, conn, method, &r, 0);
			web_response_free(&r);
			return rc;
		}
		return web_send_text(c, conn, method, 404, "not found", NULL, 0);
	}
	return web_page_request(l, c, conn, method, path, query, query_len);
}

int web_check_intake_path(const char *path, char *err, size_t errlen)
{
	static const char *const taken[] = {"/api/",       "/static/", "/reports", "/failures",
	                                    "/quarantine", "/metrics", "/healthz", "/favicon.ico"};
	size_t i, n = strlen(path);

	if (path[0] != '/' || n < 2 || n > 200 ||
	    strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~") !=
	        n) {
		snprintf(err, errlen,
		         "intake path '%.80s': want /NAME (letters, digits, / - . _ ~; at most "
		         "200 bytes)",
		         path);
		return -1;
	}
	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		if (strncmp(path, taken[i], strlen(taken[i])) == 0) {
			snprintf(err, errlen,
			         "intake path '%s' is one of the dashboard's own paths", path);
			return -1;
		}
	}
	return 0;
}

struct web_pem {
	struct input cert, key;
	int loaded;
};

static int web_load_pem(const struct web_options *o, struct web_pem *pem, char *err, size_t errlen)
{
	memset(pem, 0, sizeof(*pem));
	if (o->tls_cert == NULL && o->tls_key == NULL)
		return 0;
	if (o->tls_cert == NULL || o->tls_key == NULL) {
		snprintf(err, errlen, "--tls-cert and --tls-key go together");
		return -1;
	}
	if (input_read_path(o->tls_cert, WEB_PEM_MAX, &pem->cert, err, errlen) < 0)
		return -1;
	if (input_read_path(o->tls_key, WEB_PEM_MAX, &pem->key, err, errlen) < 0) {
		input_free(&pem->cert);
		return -1;
	}
	pem->loaded = 1;
	if (pem->cert.truncated || pem->key.truncated || pem->cert.len == 0 || pem->key.len == 0) {
		snprintf(err, errlen, "TLS certificate or key file empty or larger than %u bytes",
		         WEB_PEM_MAX);
		return -1;
	}
	return 0;
}

static void web_free_pem(struct web_pem *pem)
{
	if (!pem->loaded)
		return;
	explicit_bzero(pem->key.data, pem->key.len);
	input_free(&pem->key);
	input_free(&pem->cert);
	pem->loaded = 0;
}

static struct MHD_Daemon *web_start(struct web_listener *l, const char *where,
                                    const struct netaddr *addr, const struct web_pem *pem,
                                    char *err, size_t errlen)
{
	struct MHD_OptionItem tls[4];
	struct MHD_Daemon *d;
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	memset(tls, 0, sizeof(tls));
	tls[0].option = MHD_OPTION_END;
	if (pem->loaded) {
		flags |= MHD_USE_TLS;
		tls[0].option = MHD_OPTION_HTTPS_MEM_CERT;
		tls[0].ptr_value = pem->cert.data;
		tls[1].option = MHD_OPTION_HTTPS_MEM_KEY;
		tls[1].ptr_value = pem->key.data;
		tls[2].option = MHD_OPTION_HTTPS_PRIORITIES;
		tls[2].ptr_value = (void *)(uintptr_t)WEB_TLS_PRIORITIES;
		tls[3].option = MHD_OPTION_END;
	}
	if (addr->ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	l->tls = pem->loaded;
	d = MHD_start_daemon(
	    flags, 0, NULL, NULL, web_handler, l, MHD_OPTION_SOCK_ADDR,
	    (const struct sockaddr *)&addr->ss, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)LIMIT_WEB_THREADS, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)LIMIT_WEB_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)LIMIT_WEB_CONNECTIONS_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)LIMIT_WEB_TIMEOUT_SECONDS, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)LIMIT_WEB_CONNECTION_MEMORY, MHD_OPTION_URI_LOG_CALLBACK, web_uri_log, l,
	    MHD_OPTION_NOTIFY_COMPLETED, web_completed, l, MHD_OPTION_NOTIFY_CONNECTION,
	    web_notify_connection, l, MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, l, MHD_OPTION_ARRAY,
	    tls, MHD_OPTION_END);
	if (d == NULL)
		snprintf(err, errlen, "cannot serve on %s: %s", where,
		         l->last_error[0] != '\0' ? l->last_error : strerror(errno));
	return d;
}

/* "http://127.0.0.1:8080" for a running daemon, into buf. */
static const char *web_url(struct MHD_Daemon *d, const struct web_listener *l,
                           const struct netaddr *addr, char *buf, size_t buflen)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char where[80];

	netaddr_format((const struct sockaddr *)&addr->ss, di != NULL ? di->port : 0, where,
	               sizeof(where));
	snprintf(buf, buflen, "%s://%s", l->tls ? "https" : "http", where);
	return buf;
}

/* Checks the options against each other and the security rules. */
static int web_check_options(const struct web_options *o, struct netaddr *dash,
                             struct netaddr *intake, char *err, size_t errlen)
{
	char why[ERR_LINE_MAX];

	if (netaddr_parse(o->listen, dash, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--listen: %s", why);
		return -1;
	}
	if (!netaddr_is_loopback((const struct sockaddr *)&dash->ss) && o->auth_file == NULL &&
	    !o->no_auth) {
		snprintf(
		    err, errlen,
		    "refusing to serve the dashboard on %s without --auth-file: anyone who can "
		    "reach it would see every report (give --no-auth to do it anyway)",
		    o->listen);
		return -1;
	}
	if (o->intake_listen != NULL || o->intake_path != NULL) {
		if (!o->intake) {
			snprintf(err, errlen, "--intake-listen and --intake-path need --intake");
			return -1;
		}
	}
	if (o->intake_listen != NULL &&
	    netaddr_parse(o->intake_listen, intake, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--intake-listen: %s", why);
		return -1;
	}
	if (o->intake &&
	    web_check_intake_path(o->intake_path != NULL ? o->intake_path : WEB_DEFAULT_INTAKE_PATH,
	                          err, errlen) < 0)
		return -1;
	return 0;
}

/* The pool's handles: one per worker thread, or fewer with
 * TLSWATCH_WEB_READERS=N (the tests: with 1 a request never has a second
 * handle, so the overview reads nothing beside, web_app_beside_start). */
static int web_readers(size_t threads, size_t *n, char *err, size_t errlen)
{
	const char *v = getenv("TLSWATCH_WEB_READERS");
	char why[ERR_LINE_MAX];
	int64_t want;

	*n = threads;
	if (v == NULL)
		return 0;
	if (parse_int(v, 1, (int64_t)threads, &want, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "TLSWATCH_WEB_READERS: %s", why);
		return -1;
	}
	*n = (size_t)want;
	return 0;
}

int web_serve(const struct web_options *o, char *err, size_t errlen)
{
	struct web_listener dash_l, intake_l;
	struct MHD_Daemon *dash = NULL, *intake = NULL;
	struct netaddr dash_addr, intake_addr;
	struct web_app app;
	struct web_pem pem;
	struct intake *in = NULL;
	struct web_auth *auth = NULL;
	struct deadline *deadline = NULL;
	sigset_t stop, old;
	char url[128];
	size_t readers;
	int sig, rc = -1, app_ready = 0;

	memset(&pem, 0, sizeof(pem));
	memset(&dash_l, 0, sizeof(dash_l));
	memset(&intake_l, 0, sizeof(intake_l));
	if (web_check_options(o, &dash_addr, &intake_addr, err, errlen) < 0 ||
	    web_load_pem(o, &pem, err, errlen) < 0)
		goto out;
	if (o->auth_file != NULL && web_auth_load(o->auth_file, &auth, err, errlen) < 0)
		goto out;
	/* the intake opens read-write first: it creates the database */
	if (o->intake && intake_new(o->db_path, &in, err, errlen) < 0)
		goto out;
	if (in != NULL) {
		intake_set_limits(in, &o->intake_limits);
		intake_set_trust(in, o->trust);
	}
	if (in != NULL && o->intake_allow != NULL &&
	    intake_set_allow(in, o->intake_allow, err, errlen) < 0)
		goto out;
	if (web_readers(LIMIT_WEB_THREADS * (o->intake_listen ? 2 : 1), &readers, err, errlen) <
	        0 ||
	    web_app_init(&app, o->db_path, readers, err, errlen) < 0)
		goto out;
	app_ready = 1;
	app.intake = in;
	app.intake_path =
	    o->intake ? (o->intake_path != NULL ? o->intake_path : WEB_DEFAULT_INTAKE_PATH) : NULL;
	app.intake_on_dashboard = o->intake && o->intake_listen == NULL;
	app.auth = auth;
	app.alert = o->alert;
	app.expiry_warn_days = o->expiry_warn_days;
	app.metrics_labels = o->metrics_labels;
	if ((deadline = deadline_new(o->request_timeout > 0 ? o->request_timeout
	                                                    : LIMIT_WEB_REQUEST_SECONDS)) == NULL) {
		snprintf(err, errlen, "cannot start the request watchdog thread");
		goto out;
	}
	dash_l.app = &app;
	dash_l.deadline = deadline;
	intake_l.app = &app;
	intake_l.deadline = deadline;
	intake_l.intake_only = 1;
	/* request threads inherit the mask: only this thread takes signals */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	if ((dash = web_start(&dash_l, o->listen, &dash_addr, &pem, err, errlen)) == NULL)
		goto out_mask;
	if (o->intake_listen != NULL &&
	    (intake = web_start(&intake_l, o->intake_listen, &intake_addr, &pem, err, errlen)) ==
	        NULL)
		goto out_mask;
	printf("tlswatch web: dashboard on %s/\n",
	       web_url(dash, &dash_l, &dash_addr, url, sizeof(url)));
	if (o->intake)
		printf("tlswatch web: report intake on %s%s\n",
		       intake != NULL ? web_url(intake, &intake_l, &intake_addr, url, sizeof(url))
		                      : web_url(dash, &dash_l, &dash_addr, url, sizeof(url)),
		       app.intake_path);
	fflush(stdout);
	while (sigwait(&stop, &sig) != 0)
		;
	log_verbose("tlswatch web: signal %d, stopping", sig);
	rc = 0;
out_mask:
	if (intake != NULL)
		MHD_stop_daemon(intake);
	if (dash != NULL)
		MHD_stop_daemon(dash);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
	deadline_free(deadline); /* after the daemons: they tell it of closes */
	if (app_ready)
		web_app_cleanup(&app);
	intake_free(in);
	web_auth_free(auth);
	web_free_pem(&pem);
	return rc;
}
