/*
 * webhook_sink.c - a one-shot HTTP receiver for the alert tests
 * (tests/golden/alert.sh): listens on 127.0.0.1 on a free port (written
 * to --port-file), takes --requests requests, saves each request's line
 * and headers to OUT.head and its body to OUT, and answers --status.
 * Test tool: input comes from the tlswatch under test, bounded anyway
 * (headers 64 KiB, body 16 MiB), and the whole run is cut at 30 seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define SINK_HEAD_MAX (64 * 1024)
#define SINK_BODY_MAX (16 * 1024 * 1024)
#define SINK_SECONDS  30

static int sink_write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static int sink_send(int fd, const char *s)
{
	size_t off = 0, len = strlen(s);
	ssize_t n;

	while (off < len) {
		n = write(fd, s + off, len - off);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* The value of Content-Length in the headers, or 0. */
static long sink_content_length(const char *head)
{
	const char *p = head;
	char *end;
	long v;

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, "Content-Length:", 15) == 0) {
			v = strtol(p + 15, &end, 10);
			return v > 0 && v <= SINK_BODY_MAX ? v : 0;
		}
	}
	return 0;
}

static int sink_one(int lfd, const char *out, int status)
{
	char *buf = malloc(SINK_HEAD_MAX + SINK_BODY_MAX + 1), *hend = NULL, path[4096], resp[128];
	size_t len = 0, need;
	long clen;
	ssize_t n;
	int fd, rc = -1;

	if (buf == NULL)
		return -1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		goto out;
	while (hend == NULL && len < SINK_HEAD_MAX) {
		n = read(fd, buf + len, SINK_HEAD_MAX - len);
		if (n <= 0)
			goto out;
		len += (size_t)n;
		buf[len] = '\0';
		hend = strstr(buf, "\r\n\r\n");
	}
	if (hend == NULL)
		goto out;
	*hend = '\0';
	clen = sink_content_length(buf);
	if (strcasestr(buf, "\nExpect: 100-continue") != NULL &&
	    sink_send(fd, "HTTP/1.1 100 Continue\r\n\r\n") < 0)
		goto out;
	need = (size_t)(hend + 4 - buf) + (size_t)clen;
	while (len < need) {
		n = read(fd, buf + len, need - len);
		if (n <= 0)
			goto out;
		len += (size_t)n;
	}
	snprintf(path, sizeof(path), "%s.head", out);
	if (sink_write_file(path, buf, strlen(buf)) < 0 ||
	    sink_write_file(out, hend + 4, (size_t)clen) < 0)
		goto out;
	snprintf(resp, sizeof(resp),
	         "HTTP/1.1 %d Sink\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
	rc = sink_send(fd, resp);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL, *out = NULL;
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	char tmp[4096], port[16];
	int i, lfd, status = 200, requests = 1, one = 1;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[i + 1];
		else if (strcmp(argv[i], "--out") == 0)
			out = argv[i + 1];
		else if (strcmp(argv[i], "--status") == 0)
			status = (int)strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--requests") == 0)
			requests = (int)strtol(argv[i + 1], NULL, 10);
	}
	if (port_file == NULL || out == NULL || i != argc || status < 100 || status > 599 ||
	    requests < 1) {
		fprintf(stderr, "usage: webhook_sink --port-file F --out F [--status N] "
		                "[--requests N]\n");
		return 2;
	}
	alarm(SINK_SECONDS);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0) {
		fprintf(stderr, "webhook_sink: %s\n", strerror(errno));
		return 2;
	}
	/* written whole, then renamed: a reader never sees half a number */
	snprintf(port, sizeof(port), "%u\n", (unsigned)ntohs(sa.sin_port));
	snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
	if (sink_write_file(tmp, port, strlen(port)) < 0 || rename(tmp, port_file) < 0) {
		fprintf(stderr, "webhook_sink: %s: %s\n", port_file, strerror(errno));
		return 2;
	}
	for (i = 0; i < requests; i++)
		if (sink_one(lfd, out, status) < 0) {
			fprintf(stderr, "webhook_sink: request %d failed\n", i + 1);
			return 1;
		}
	close(lfd);
	return 0;
}
