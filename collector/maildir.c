/*
 * maildir.c - listing a Maildir's messages (cur/ and new/) in name order.
 * File names come from the local file system; their contents are read
 * later, by the caller, with the usual input size cap.
 */
#include "maildir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

static const char *const maildir_subdirs[] = {"cur", "new"};

struct maildir_entry {
	char *path;
	const char *name; /* the file name inside path */
	int sub;          /* index into maildir_subdirs */
};

static int maildir_is_dir(const char *path, const char *sub)
{
	struct stat st;
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s%s%s", path, sub != NULL ? "/" : "", sub ? sub : "");

	return n > 0 && (size_t)n < sizeof(buf) && stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
}

int maildir_is_maildir(const char *path)
{
	return maildir_is_dir(path, NULL) &&
	       (maildir_is_dir(path, "cur") || maildir_is_dir(path, "new"));
}

static int maildir_entry_cmp(const void *a, const void *b)
{
	const struct maildir_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : x->sub - y->sub;
}

/* Appends the regular files of path/sub to *es. 0, or -1 with err. */
static int maildir_scan(const char *path, int sub, struct maildir_entry **es, size_t *n,
                        size_t *alloc, char *err, size_t errlen)
{
	const char *subname = maildir_subdirs[sub];
	char dir[4096];
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	size_t plen;
	int rc = -1;

	if (!maildir_is_dir(path, subname))
		return 0;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", path, subname) >= sizeof(dir)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	plen = strlen(dir);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0) {
				snprintf(err, errlen, "%s: %s", dir, strerror(errno));
				goto out;
			}
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (*n == *alloc) {
			*alloc = *alloc == 0 ? 64 : *alloc * 2;
			*es = xreallocarray(*es, *alloc, sizeof(**es));
		}
		(*es)[*n].path = xmalloc(plen + 1 + strlen(de->d_name) + 1);
		memcpy((*es)[*n].path, dir, plen);
		(*es)[*n].path[plen] = '/';
		memcpy((*es)[*n].path + plen + 1, de->d_name, strlen(de->d_name) + 1);
		(*es)[*n].name = (*es)[*n].path + plen + 1;
		(*es)[*n].sub = sub;
		(*n)++;
	}
	rc = 0;
out:
	closedir(d);
	return rc;
}

int maildir_list(const char *path, struct maildir_list *out, char *err, size_t errlen)
{
	struct maildir_entry *es = NULL;
	size_t n = 0, alloc = 0, i;
	int sub;

	for (sub = 0; sub < 2; sub++) {
		if (maildir_scan(path, sub, &es, &n, &alloc, err, errlen) < 0) {
			for (i = 0; i < n; i++)
				free(es[i].path);
			free(es);
			return -1;
		}
	}
	if (n > 0)
		qsort(es, n, sizeof(*es), maildir_entry_cmp);
	out->paths = xcalloc(n > 0 ? n : 1, sizeof(*out->paths));
	for (i = 0; i < n; i++)
		out->paths[i] = es[i].path;
	out->n = n;
	free(es);
	return 0;
}

void maildir_list_free(struct maildir_list *l)
{
	size_t i;

	if (l == NULL || l->paths == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->n = 0;
}
