/*
 * maildir.h - the messages of a Maildir directory, in a fixed order.
 *
 * A Maildir is a directory with cur/ and/or new/ subdirectories; every
 * regular file in them is one message (tmp/ holds deliveries in progress
 * and is skipped, as are dot files). The directory is the local admin's;
 * the messages in it are untrusted and go through ingest like any input.
 */
#ifndef TLSWATCH_MAILDIR_H
#define TLSWATCH_MAILDIR_H

#include <stddef.h>

struct maildir_list {
	char **paths; /* "DIR/cur/NAME" or "DIR/new/NAME"; owned */
	size_t n;
};

/* 1 when path is a directory holding a cur/ or new/ directory. */
int maildir_is_maildir(const char *path);

/* Lists the messages of the Maildir at path, sorted by file name (a
 * Maildir name starts with the delivery time; cur/ before new/ on a tie),
 * so that a run is repeatable. Symbolic links and other non-regular files
 * are skipped. Returns 0 with *out filled (free with maildir_list_free),
 * or -1 with "PATH: reason" in err. */
int maildir_list(const char *path, struct maildir_list *out, char *err, size_t errlen);

void maildir_list_free(struct maildir_list *l);

#endif
