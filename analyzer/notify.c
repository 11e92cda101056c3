/*
 * notify.c - --exec and --webhook delivery (see notify.h). The command and
 * URL come from the operator; the payload is our own JSON.
 */
#include "notify.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "limits.h"

static int64_t notify_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes data to fd (non-blocking) until done, the reader goes away
 * (EPIPE: the exit status decides), or the deadline. -1 on timeout. */
static int notify_feed(int fd, const char *data, size_t len, int64_t deadline)
{
	size_t off = 0;
	struct pollfd pfd;
	ssize_t n;

	while (off < len) {
		int64_t left = deadline - notify_now_ms();

		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			return 0;
		n = write(fd, data + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return 0;
	}
	return 0;
}

int notify_exec(const char *cmd, const char *data, size_t len, char *err, size_t errlen)
{
	int64_t deadline = notify_now_ms() + (int64_t)LIMIT_EXEC_SECONDS * 1000;
	int fds[2], status = 0, timed_out = 0;
	pid_t pid, w;

	fflush(stdout);
	fflush(stderr);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "--exec: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "--exec: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		/* its own process group, so a timeout kills what it started */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(fds[0], 0) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fds[0]);
	fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
	if (notify_feed(fds[1], data, len, deadline) < 0)
		timed_out = 1;
	close(fds[1]);
	while (!timed_out && (w = waitpid(pid, &status, WNOHANG)) == 0) {
		if (notify_now_ms() >= deadline)
			timed_out = 1;
		else
			poll(NULL, 0, 20);
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(err, errlen, "--exec: command still running after %d s; killed",
		         LIMIT_EXEC_SECONDS);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "--exec: command exited with status %d%s",
		         WEXITSTATUS(status), WEXITSTATUS(status) == 127 ? " (not found?)" : "");
	else
		snprintf(err, errlen, "--exec: command killed by signal %d",
		         WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

static size_t notify_discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

/* "https://host" of url, for messages: the path may hold a token. */
static void notify_url_name(const char *url, char *buf, size_t len)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		snprintf(buf, len, "%s://%s", scheme, host);
	else
		snprintf(buf, len, "the webhook URL");
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
}

int notify_webhook(const char *url, const char *json, size_t len, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE], name[256];
	struct curl_slist *hdr = NULL;
	CURL *h = NULL;
	CURLcode cc;
	long status = 0;
	int rc = -1;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "--webhook: cannot initialise libcurl");
		return -1;
	}
	notify_url_name(url, name, sizeof(name));
	h = curl_easy_init();
	hdr = curl_slist_append(NULL, "Content-Type: application/json");
	/* no "Expect: 100-continue" round trip: the body is small */
	if (hdr != NULL)
		hdr = curl_slist_append(hdr, "Expect:");
	if (h == NULL || hdr == NULL) {
		snprintf(err, errlen, "--webhook: cannot initialise libcurl");
		goto out;
	}
	cerr[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)LIMIT_WEBHOOK_CONNECT_SECONDS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)LIMIT_WEBHOOK_SECONDS);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tlswatch");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, notify_discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "--webhook %s: %s", name,
		         cerr[0] != '\0' ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "--webhook %s: HTTP status %ld", name, status);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	return rc;
}
