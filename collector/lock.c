/*
 * lock.c - the collector lock file (flock, non-blocking). Input: trusted.
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int lock_collector(const char *db_path, char *err, size_t errlen)
{
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s.collect.lock", db_path) >= sizeof(path)) {
		snprintf(err, errlen, "database path too long for a lock file");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "lock file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "another collector is running on %s (lock %s)",
			         db_path, path);
		else
			snprintf(err, errlen, "lock file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void lock_release(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}
