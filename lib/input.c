/*
 * input.c - bounded reads of untrusted files and stdin.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "limits.h"
#include "xalloc.h"

int input_read_fd(int fd, size_t cap, struct input *in, char *err, size_t errlen)
{
	struct stat sb;

	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		return input_read_sized(fd, (int64_t)sb.st_size, cap, in, err, errlen);
	return input_read_sized(fd, -1, cap, in, err, errlen);
}

int input_read_sized(int fd, int64_t file_size, size_t cap, struct input *in, char *err,
                     size_t errlen)
{
	struct stat sb;
	uint8_t *buf = NULL;
	size_t alloc, len = 0, known = 0;
	ssize_t n;
	int rc = -1;

	memset(in, 0, sizeof(*in));
	alloc = 64 * 1024;
	if (file_size > 0) {
		alloc = (uint64_t)file_size < cap ? (size_t)file_size + 1 : cap + 1;
		/* a regular file within the cap is read to the size it had
		 * when looked at: no read() just to hear of its end */
		if ((uint64_t)file_size <= cap)
			known = (size_t)file_size;
	}
	if (alloc > cap + 1)
		alloc = cap + 1;
	buf = xmalloc(alloc + 1);
	for (;;) {
		if (len == alloc) {
			if (alloc > cap)
				break; /* cap + 1 bytes read: over the limit */
			alloc = alloc * 2 > cap + 1 ? cap + 1 : alloc * 2;
			buf = xrealloc(buf, alloc + 1);
		}
		n = read(fd, buf + len, alloc - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == known)
			break;
	}
	in->truncated = len > cap;
	if (in->truncated)
		len = cap;
	buf[len] = '\0';
	in->data = buf;
	in->len = len;
	in->size = (int64_t)len + in->truncated;
	/* over the cap, the file system knows the full size */
	if (in->truncated && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		in->size = sb.st_size;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}

int input_read_path(const char *path, size_t cap, struct input *in, char *err, size_t errlen)
{
	char why[ERR_LINE_MAX];
	struct stat sb;
	int fd, rc;

	if (strcmp(path, "-") == 0) {
		if (input_read_fd(0, cap, in, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "stdin: %s", why);
			return -1;
		}
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	rc = input_read_fd(fd, cap, in, why, sizeof(why));
	close(fd);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	return rc;
}

void input_free(struct input *in)
{
	free(in->data);
	memset(in, 0, sizeof(*in));
}
