/*
 * ingest_feed.c - reading and decoding the inputs of 'tlswatch ingest' on
 * a thread of their own (ingest_feed.h). Input bytes are untrusted and
 * capped at LIMIT_INPUT_BYTES each; paths are the operator's. The thread
 * never logs: what it has to say is queued as items, in order.
 */
#include "ingest_feed.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "input.h"
#include "limits.h"
#include "maildir.h"
#include "mbox.h"
#include "xalloc.h"

/* Bytes looked at to tell an mbox ("From " line, then a header field)
 * from a single message; an SRS envelope sender runs to ~250 bytes. */
#define FEED_HEAD_BYTES 8192

/* A regular file up to this size is read whole before it is looked at
 * (one read instead of two for a report file or a message); a larger one
 * is looked at first, so that an mbox is streamed, never held whole. */
#define FEED_WHOLE_BYTES (1024 * 1024)

struct ingest_feed {
	char *const *paths;
	int n_paths;
	const char *arg; /* the PATH being read */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t has_items;      /* for the caller: items, or done */
	pthread_cond_t has_room;       /* for the reader: room, or stop */
	struct feed_item *head, *tail; /* the queue */
	size_t n_items, n_bytes;
	int reader_waits, caller_waits; /* who sleeps on the conditions */
	int done;                       /* the reader has queued its last item */
	int stop;                       /* the caller wants no more */
	struct feed_item *taken;        /* the caller's side: items taken in one go */
	struct feed_item *used;         /* the caller's side: items given back */
	struct feed_item *returned;     /* given back, for the reader to free */
};

/* The reader wakes a waiting caller once this many items are queued (or
 * at the end, or before it may block): handing items over one by one
 * would cost two context switches per report on a busy machine. */
#define FEED_WAKE_ITEMS 16

void ingest_feed_item_free(struct feed_item *it)
{
	if (it == NULL)
		return;
	decode_free(it->prep);
	free(it->data);
	free(it->name);
	free(it->label);
	free(it->message);
	free(it);
}

static void feed_free_list(struct feed_item *it)
{
	struct feed_item *next;

	for (; it != NULL; it = next) {
		next = it->next;
		ingest_feed_item_free(it);
	}
}

/* Queues it, waiting while the queue is full. 0, or -1 (it freed) once
 * the caller has asked to stop. Frees the items the caller gave back
 * first: their memory came from this thread's malloc arena, and freeing
 * it here takes no lock the caller's allocations need. */
static int feed_push(struct ingest_feed *f, struct feed_item *it)
{
	struct feed_item *returned;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	returned = f->returned;
	f->returned = NULL;
	pthread_mutex_unlock(&f->lock);
	feed_free_list(returned);
	pthread_mutex_lock(&f->lock);
	while (
	    !f->stop && f->n_items > 0 &&
	    (f->n_items >= LIMIT_INGEST_QUEUE_INPUTS || f->n_bytes >= LIMIT_INGEST_QUEUE_BYTES)) {
		if (f->caller_waits)
			pthread_cond_signal(&f->has_items);
		f->reader_waits = 1;
		pthread_cond_wait(&f->has_room, &f->lock);
		f->reader_waits = 0;
	}
	if (f->stop) {
		rc = -1;
	} else {
		if (f->tail != NULL)
			f->tail->next = it;
		else
			f->head = it;
		f->tail = it;
		f->n_items++;
		f->n_bytes += it->bytes;
		if (f->caller_waits && f->n_items >= FEED_WAKE_ITEMS)
			pthread_cond_signal(&f->has_items);
	}
	pthread_mutex_unlock(&f->lock);
	if (rc < 0)
		ingest_feed_item_free(it);
	return rc;
}

/* Wakes a waiting caller for whatever is queued: before a read that may
 * block (stdin, a pipe), and at the end. */
static void feed_flush(struct ingest_feed *f)
{
	pthread_mutex_lock(&f->lock);
	if (f->caller_waits && f->n_items > 0)
		pthread_cond_signal(&f->has_items);
	pthread_mutex_unlock(&f->lock);
}

__attribute__((format(printf, 4, 5))) static int
feed_say(struct ingest_feed *f, enum feed_kind kind, int step, const char *fmt, ...)
{
	struct feed_item *it = xcalloc(1, sizeof(*it));
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	it->kind = kind;
	it->message = xstrdup(msg);
	it->step = step;
	return feed_push(f, it);
}

static int feed_progress(struct ingest_feed *f, long total_add, int total_unknown)
{
	struct feed_item *it = xcalloc(1, sizeof(*it));

	it->kind = FEED_PROGRESS;
	it->what = "messages";
	it->total_add = total_add;
	it->total_unknown = total_unknown;
	return feed_push(f, it);
}

/* Decodes one input and queues it; takes data over. */
static int feed_input(struct ingest_feed *f, uint8_t *data, size_t len, int64_t size, int truncated,
                      const char *source_kind, const char *name, const char *label)
{
	struct feed_item *it = xcalloc(1, sizeof(*it));

	it->kind = FEED_INPUT;
	it->data = data;
	it->len = len;
	it->size = size;
	it->truncated = truncated;
	it->source_kind = source_kind;
	it->name = name != NULL ? xstrdup(name) : NULL;
	it->label = xstrdup(label);
	it->arg = f->arg;
	it->prep = decode_input(data, len, size, truncated);
	it->bytes = len + decode_json_bytes(it->prep);
	return feed_push(f, it);
}

/* A file or stdin read whole (one report or one message). */
static int feed_whole(struct ingest_feed *f, int fd, const char *path, const char *source_kind)
{
	struct input in;
	char err[ERR_LINE_MAX];

	if (input_read_fd(fd, LIMIT_INPUT_BYTES, &in, err, sizeof(err)) < 0)
		return feed_say(f, FEED_ERROR, 1, "%s: %s", esc(path), err);
	return feed_input(f, in.data, in.len, in.size, in.truncated, source_kind,
	                  strcmp(source_kind, "stdin") == 0 ? NULL : path, path);
}

struct feed_mbox {
	struct ingest_feed *f;
	const char *path;
	int stopped;
};

static int feed_mbox_message(const struct mbox_message *m, void *arg)
{
	struct feed_mbox *ctx = arg;
	size_t n = strlen(ctx->path) + 32;
	char *name = xmalloc(n);
	uint8_t *copy = xmalloc(m->len + 1);
	int rc;

	memcpy(copy, m->data, m->len);
	copy[m->len] = '\0';
	snprintf(name, n, "%s#%ld", ctx->path, m->index);
	rc = feed_input(ctx->f, copy, m->len, m->size, m->truncated, "mbox", name, name);
	free(name);
	if (rc < 0) {
		ctx->stopped = 1;
		return 1;
	}
	return 0;
}

/* Each message of an mbox: from the bytes already read when the file was
 * small (data != NULL), else streamed from fd (the file may be far larger
 * than LIMIT_INPUT_BYTES; one message may not: it is quarantined). */
static int feed_mbox(struct ingest_feed *f, int fd, const char *path, const uint8_t *data,
                     size_t len)
{
	struct feed_mbox ctx = {f, path, 0};
	struct mbox_split *s = mbox_split_new(LIMIT_INPUT_BYTES, feed_mbox_message, &ctx);
	char err[ERR_LINE_MAX];
	int rc = 0;

	if (feed_progress(f, 0, 1) < 0) {
		mbox_split_free(s);
		return -1;
	}
	if (data != NULL) {
		if (mbox_split_feed(s, data, len) == 0)
			mbox_split_finish(s);
	} else if (mbox_read_fd(fd, s, err, sizeof(err)) < 0 && !ctx.stopped) {
		rc = feed_say(f, FEED_ERROR, 0, "%s: %s", esc(path), err);
	}
	if (ctx.stopped)
		rc = -1;
	mbox_split_free(s);
	return rc;
}

static int feed_maildir(struct ingest_feed *f, const char *path)
{
	struct maildir_list l;
	char err[ERR_LINE_MAX];
	size_t i;
	int fd, rc = 0;

	if (maildir_list(path, &l, err, sizeof(err)) < 0)
		return feed_say(f, FEED_ERROR, 0, "%s", esc(err));
	/* this PATH counted as one input; it holds l.n */
	rc = feed_progress(f, (long)l.n - 1, 0);
	for (i = 0; i < l.n && rc == 0; i++) {
		fd = open(l.paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			rc = feed_say(f, FEED_WARNING, 0, "%s: %s", esc(l.paths[i]),
			              strerror(errno));
			continue;
		}
		rc = feed_whole(f, fd, l.paths[i], "maildir");
		close(fd);
	}
	maildir_list_free(&l);
	return rc;
}

/* A regular file: a small one is read whole (an mbox is then split from
 * the bytes read); a larger one is looked at first, to stream an mbox. */
static int feed_file(struct ingest_feed *f, int fd, const char *path, const struct stat *st)
{
	uint8_t head[FEED_HEAD_BYTES];
	struct input in;
	char err[ERR_LINE_MAX];
	ssize_t n;
	int rc;

	if (st->st_size > (off_t)FEED_WHOLE_BYTES) {
		n = pread(fd, head, sizeof(head), 0);
		if (n > 0 && mbox_looks_like_mbox(head, (size_t)n))
			return feed_mbox(f, fd, path, NULL, 0);
		return feed_whole(f, fd, path, "file");
	}
	/* feed_path_at's fstat already said it is a regular file of this size */
	if (input_read_sized(fd, (int64_t)st->st_size, LIMIT_INPUT_BYTES, &in, err, sizeof(err)) <
	    0)
		return feed_say(f, FEED_ERROR, 1, "%s: %s", esc(path), err);
	if (!in.truncated &&
	    mbox_looks_like_mbox(in.data, in.len < sizeof(head) ? in.len : sizeof(head))) {
		rc = feed_mbox(f, fd, path, in.data, in.len);
		input_free(&in);
		return rc;
	}
	return feed_input(f, in.data, in.len, in.size, in.truncated, "file", path, path);
}

static int feed_path_at(struct ingest_feed *f, const char *path, int depth);

static int feed_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory that is not a Maildir: every file under it, recursively, in
 * name order, hidden names skipped; a Maildir inside is read as a Maildir.
 * Symbolic links to directories are not followed (no loops). */
static int feed_dir(struct ingest_feed *f, const char *path, int depth)
{
	char **names = NULL, *full;
	struct dirent *e;
	struct stat st;
	size_t n = 0, alloc = 0, i, len;
	DIR *d;
	int rc = 0;

	if (depth > LIMIT_INGEST_DIR_DEPTH)
		return feed_say(f, FEED_ERROR, 1, "%s: directories nested deeper than %d; not read",
		                esc(path), LIMIT_INGEST_DIR_DEPTH);
	d = opendir(path);
	if (d == NULL)
		return feed_say(f, FEED_WARNING, 1, "%s: %s", esc(path), strerror(errno));
	while ((e = readdir(d)) != NULL) {
		/* hidden names are skipped, as in a Maildir (and ".", "..") */
		if (e->d_name[0] == '.')
			continue;
		if (n == alloc) {
			alloc = alloc == 0 ? 64 : alloc * 2;
			names = xreallocarray(names, alloc, sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), feed_name_cmp);
	/* this directory counted as one input; it holds n */
	rc = feed_progress(f, (long)n - 1, 0);
	for (i = 0; i < n && rc == 0; i++) {
		len = strlen(path) + strlen(names[i]) + 2;
		full = xmalloc(len);
		snprintf(full, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
		         names[i]);
		if (lstat(full, &st) == 0 && S_ISLNK(st.st_mode) && stat(full, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			rc =
			    feed_say(f, FEED_WARNING, 1,
			             "%s: a symbolic link to a directory; not followed", esc(full));
		else
			rc = feed_path_at(f, full, depth + 1);
		free(full);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* One PATH argument. 0, or -1 once the caller asked to stop. */
static int feed_path(struct ingest_feed *f, const char *path)
{
	return feed_path_at(f, path, 0);
}

/* A path at depth directories below a PATH argument. */
static int feed_path_at(struct ingest_feed *f, const char *path, int depth)
{
	struct stat st;
	int fd, rc;

	if (strcmp(path, "-") == 0) {
		feed_flush(f);
		return feed_whole(f, 0, "-", "stdin");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !(stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		return feed_say(f, FEED_WARNING, 0, "%s: %s", esc(path), strerror(errno));
	if (fd < 0 || (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))) {
		if (fd >= 0)
			close(fd);
		if (maildir_is_maildir(path))
			return feed_maildir(f, path);
		return feed_dir(f, path, depth);
	}
	if (S_ISREG(st.st_mode)) {
		rc = feed_file(f, fd, path, &st);
	} else {
		feed_flush(f);
		rc = feed_whole(f, fd, path, "file");
	}
	close(fd);
	return rc;
}

static void *feed_run(void *arg)
{
	struct ingest_feed *f = arg;
	int i;

	for (i = 0; i < f->n_paths; i++) {
		f->arg = f->paths[i];
		if (feed_path(f, f->paths[i]) < 0)
			break;
	}
	pthread_mutex_lock(&f->lock);
	f->done = 1;
	pthread_cond_signal(&f->has_items);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct ingest_feed *ingest_feed_start(char *const *paths, int n)
{
	struct ingest_feed *f = xcalloc(1, sizeof(*f));
	int err;

	f->paths = paths;
	f->n_paths = n;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->has_items, NULL);
	pthread_cond_init(&f->has_room, NULL);
	err = pthread_create(&f->thread, NULL, feed_run, f);
	if (err != 0) {
		fprintf(stderr, "tlswatch: cannot start a thread: %s\n", strerror(err));
		exit(2);
	}
	return f;
}

struct feed_item *ingest_feed_next(struct ingest_feed *f)
{
	struct feed_item *it, *mine = NULL;

	if (f->taken == NULL) {
		/* take the whole queue: one lock and at most one wakeup for
		 * many items */
		pthread_mutex_lock(&f->lock);
		while (f->head == NULL && !f->done) {
			f->caller_waits = 1;
			pthread_cond_wait(&f->has_items, &f->lock);
			f->caller_waits = 0;
		}
		if (f->done) { /* no reader left to free them */
			mine = f->used;
		} else if (f->used != NULL) { /* the reader frees them (feed_push) */
			struct feed_item *last = f->used;

			while (last->next != NULL)
				last = last->next;
			last->next = f->returned;
			f->returned = f->used;
		}
		f->used = NULL;
		f->taken = f->head;
		f->head = f->tail = NULL;
		f->n_items = 0;
		f->n_bytes = 0;
		if (f->reader_waits)
			pthread_cond_signal(&f->has_room);
		pthread_mutex_unlock(&f->lock);
		feed_free_list(mine);
	}
	it = f->taken;
	if (it != NULL) {
		f->taken = it->next;
		it->next = NULL;
	}
	return it;
}

size_t ingest_feed_peek(const struct ingest_feed *f, const struct feed_item **out, size_t max)
{
	const struct feed_item *it;
	size_t n = 0;

	/* the items taken in one go are the caller's side: no lock */
	for (it = f->taken; it != NULL && n < max; it = it->next)
		if (it->kind == FEED_INPUT && it->prep != NULL)
			out[n++] = it;
	return n;
}

void ingest_feed_done(struct ingest_feed *f, struct feed_item *it)
{
	it->next = f->used;
	f->used = it;
}

void ingest_feed_free(struct ingest_feed *f)
{
	struct feed_item *it;

	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	pthread_cond_signal(&f->has_room);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	while ((it = f->taken) != NULL) {
		f->taken = it->next;
		ingest_feed_item_free(it);
	}
	while ((it = f->head) != NULL) {
		f->head = it->next;
		ingest_feed_item_free(it);
	}
	feed_free_list(f->used);
	feed_free_list(f->returned);
	pthread_cond_destroy(&f->has_items);
	pthread_cond_destroy(&f->has_room);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
