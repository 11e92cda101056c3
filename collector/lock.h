/*
 * lock.h - one collector per database: an flock(2) on "DB.collect.lock"
 * next to the database. The lock goes with the process, so a crashed
 * collector never leaves a stale lock behind. Input: the operator's path.
 */
#ifndef TLSWATCH_LOCK_H
#define TLSWATCH_LOCK_H

#include <stddef.h>

/* Takes the collector lock for db_path without waiting. Returns the lock's
 * file descriptor (>= 0), or -1 with a one-line reason in err: "another
 * collector is running on DB" when it is held, else why the lock file
 * could not be opened. */
int lock_collector(const char *db_path, char *err, size_t errlen);

/* Releases a lock from lock_collector. lock_release(-1) is a no-op. */
void lock_release(int fd);

#endif
