/*
 * cutproxy.c - a one-connection TCP relay on loopback that drops both sides
 * after the server has sent N bytes: a server that dies at a known point in
 * the middle of a response, for the IMAP fault tests. Not installed.
 *
 * usage: cutproxy PORTFILE UPSTREAM_PORT CUT_AFTER_BYTES
 * Listens on 127.0.0.1 on a free port, writes the port number to PORTFILE,
 * relays one connection to 127.0.0.1:UPSTREAM_PORT, and exits when it has
 * cut the connection or either side closed. Trusted input (the test's).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long cutproxy_number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "cutproxy: '%s' is not a number\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct pollfd p[2];
	char buf[16384];
	long upstream, cut, sent = 0;
	int lfd, cfd, sfd, one = 1;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: cutproxy PORTFILE UPSTREAM_PORT CUT_AFTER_BYTES\n");
		return 2;
	}
	upstream = cutproxy_number(argv[2]);
	cut = cutproxy_number(argv[3]);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
		perror("cutproxy: listen");
		return 2;
	}
	if ((f = fopen(argv[1], "w")) == NULL) {
		perror("cutproxy: port file");
		return 2;
	}
	fprintf(f, "%d\n", ntohs(a.sin_port));
	fclose(f);
	if ((cfd = accept(lfd, NULL, NULL)) < 0) {
		perror("cutproxy: accept");
		return 2;
	}
	a.sin_port = htons((unsigned short)upstream);
	sfd = socket(AF_INET, SOCK_STREAM, 0);
	if (sfd < 0 || connect(sfd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("cutproxy: connect");
		return 2;
	}
	p[0].fd = cfd;
	p[1].fd = sfd;
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		ssize_t n;
		long room;

		if (poll(p, 2, 60000) <= 0)
			break;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(cfd, buf, sizeof(buf));
			if (n <= 0 || write(sfd, buf, (size_t)n) != n)
				break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			room = cut - sent;
			n = read(sfd, buf, room < (long)sizeof(buf) ? (size_t)room : sizeof(buf));
			if (n <= 0 || write(cfd, buf, (size_t)n) != n)
				break;
			sent += n;
			if (sent >= cut)
				break; /* the server "dies" here */
		}
	}
	close(cfd);
	close(sfd);
	close(lfd);
	return 0;
}
