/*
 * imap_secret.c - reading the IMAP secret from a file (with a permission
 * check) or a command's stdout. The secret never reaches argv, a log line
 * or an error message, and every buffer that held it is wiped.
 */
#include "imap_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "limits.h"
#include "xalloc.h"

/* One read into buf (size cap + 1) after the *n bytes already there.
 * 1: more may come; 0: end of file, or cap + 1 bytes are in; -1: a read
 * error (errno). */
static int secret_read_some(int fd, char *buf, size_t cap, size_t *n)
{
	ssize_t r;

	do
		r = read(fd, buf + *n, cap + 1 - *n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	*n += (size_t)r;
	return r > 0 && *n < cap + 1;
}

/* Reads fd to its end or until cap + 1 bytes are in buf (size cap + 1).
 * Returns the byte count, or -1 with errno set. */
static ssize_t secret_read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	int r;

	while ((r = secret_read_some(fd, buf, cap, &n)) > 0)
		;
	return r < 0 ? -1 : (ssize_t)n;
}

/* Cuts buf (n bytes) at its first line end and checks what is left. */
static int secret_first_line(char *buf, size_t n, const char *what, char **out, char *err,
                             size_t errlen)
{
	size_t len = 0;

	while (len < n && buf[len] != '\n' && buf[len] != '\r' && buf[len] != '\0')
		len++;
	if (len > LIMIT_SECRET_BYTES || (len == n && n > LIMIT_SECRET_BYTES)) {
		snprintf(err, errlen, "%s: secret longer than %u bytes", what, LIMIT_SECRET_BYTES);
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "%s: the first line is empty", what);
		return -1;
	}
	*out = xmalloc(len + 1);
	memcpy(*out, buf, len);
	(*out)[len] = '\0';
	return 0;
}

static int secret_from_file(const char *path, char *buf, char **out, char *err, size_t errlen)
{
	struct stat sb;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "password_file %s: %s", esc(path), strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "password_file %s: %s", esc(path), strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "password_file %s: not a regular file", esc(path));
		goto out;
	}
	if (sb.st_uid != geteuid()) {
		snprintf(err, errlen,
		         "password_file %s: owned by uid %lu, not by the user running tlswatch "
		         "(uid %lu); refusing to use it",
		         esc(path), (unsigned long)sb.st_uid, (unsigned long)geteuid());
		goto out;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen,
		         "password_file %s: mode %03o lets others read it; refusing to use it "
		         "(chmod 600)",
		         esc(path), (unsigned)(sb.st_mode & 0777));
		goto out;
	}
	n = secret_read_all(fd, buf, LIMIT_SECRET_BYTES);
	if (n < 0) {
		snprintf(err, errlen, "password_file %s: %s", esc(path), strerror(errno));
		goto out;
	}
	rc = secret_first_line(buf, (size_t)n, "password_file", out, err, errlen);
out:
	close(fd);
	return rc;
}

/* The helper has not finished in time: the whole process group goes,
 * so a child it left behind cannot keep the pipe (and the collect lock). */
static void secret_kill_group(pid_t pid)
{
	int status;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static long secret_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the helper's output until EOF, or until it has exited and a whole
 * line is in (a child it left running may hold stdout open for good), or
 * until the deadline. Returns the byte count, -1 on a read error (errno),
 * -2 when the deadline passed. *status is set once the helper exited
 * (*exited = 1). */
static ssize_t secret_read_command(int fd, pid_t pid, long deadline, char *buf, size_t cap,
                                   int *status, int *exited)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t n = 0;
	ssize_t r;
	long left;

	for (;;) {
		if (!*exited && waitpid(pid, status, WNOHANG) == pid)
			*exited = 1;
		if (*exited && memchr(buf, '\n', n) != NULL)
			return (ssize_t)n;
		left = deadline - secret_now_ms();
		if (left <= 0)
			return -2;
		/* wake up now and then to notice the helper's exit */
		r = poll(&pfd, 1, left < 100 ? (int)left : 100);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		r = secret_read_some(fd, buf, cap, &n);
		if (r <= 0)
			return r < 0 ? -1 : (ssize_t)n;
	}
}

static int secret_from_command(const char *command, long timeout, char *buf, char **out, char *err,
                               size_t errlen)
{
	int pipefd[2], status = 0, saved, devnull, exited = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "password_command: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		saved = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		snprintf(err, errlen, "password_command: fork: %s", strerror(saved));
		return -1;
	}
	if (pid == 0) {
		/* child: a process group of its own (killed whole on
		 * timeout), stdin from /dev/null, stdout into the pipe,
		 * stderr left to the operator's terminal or cron mail */
		setpgid(0, 0);
		devnull = open("/dev/null", O_RDONLY);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(pipefd[1], 1) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid); /* also here: no race with the kill below */
	close(pipefd[1]);
	n = secret_read_command(pipefd[0], pid, secret_now_ms() + timeout * 1000, buf,
	                        LIMIT_SECRET_BYTES, &status, &exited);
	saved = errno;
	close(pipefd[0]);
	if (n == -2) {
		secret_kill_group(pid);
		snprintf(err, errlen,
		         "password_command did not finish within %ld seconds "
		         "(password_command_timeout); killed it and its process group",
		         timeout);
		return -1;
	}
	while (!exited && waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "password_command: wait: %s", strerror(errno));
			return -1;
		}
	}
	if (n < 0) {
		snprintf(err, errlen, "password_command: reading its output: %s", strerror(saved));
		return -1;
	}
	if (WIFSIGNALED(status) &&
	    !(n > (ssize_t)LIMIT_SECRET_BYTES && WTERMSIG(status) == SIGPIPE)) {
		snprintf(err, errlen, "password_command was killed by signal %d", WTERMSIG(status));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "password_command exited with status %d",
		         WEXITSTATUS(status));
		return -1;
	}
	return secret_first_line(buf, (size_t)n, "password_command", out, err, errlen);
}

int imap_secret_read(const char *password_file, const char *password_command, long timeout,
                     char **out, char *err, size_t errlen)
{
	int have_file = password_file != NULL && password_file[0] != '\0';
	int have_cmd = password_command != NULL && password_command[0] != '\0';
	char *buf;
	int rc;

	if (have_file == have_cmd) {
		snprintf(err, errlen,
		         "[imap] needs exactly one of password_file and "
		         "password_command");
		return -1;
	}
	buf = xmalloc(LIMIT_SECRET_BYTES + 1);
	if (have_file)
		rc = secret_from_file(password_file, buf, out, err, errlen);
	else
		rc = secret_from_command(password_command, timeout, buf, out, err, errlen);
	explicit_bzero(buf, LIMIT_SECRET_BYTES + 1);
	free(buf);
	return rc;
}

void imap_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
