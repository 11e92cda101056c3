/*
 * imap_secret.h - the IMAP password or OAuth token, from password_file or
 * password_command. Input: files and commands the operator configured
 * (trusted), but the secret itself must never leak: it is not put in argv,
 * logs or error messages, and it is wiped from memory after use.
 */
#ifndef TLSWATCH_IMAP_SECRET_H
#define TLSWATCH_IMAP_SECRET_H

#include <stddef.h>

/* Reads the first line of password_file, which must be a regular file owned
 * by the running user with no group or other permission bits (0600 or
 * stricter), or of the standard output of password_command run through
 * "/bin/sh -c" with stdin from /dev/null (a non-zero exit is an error) in
 * a process group of its own: past timeout seconds the whole group is
 * killed (SIGKILL). Once the command has exited and a whole line is in,
 * a child it left holding stdout is not waited for.
 * Exactly one of the two must be set. The line is at most
 * LIMIT_SECRET_BYTES and must not be empty. Returns 0 with *out set to a
 * NUL-terminated copy (free with imap_secret_free), or -1 with a reason
 * that names the file or says "password_command" - never the secret. */
int imap_secret_read(const char *password_file, const char *password_command, long timeout,
                     char **out, char *err, size_t errlen);

/* Wipes and frees a secret. imap_secret_free(NULL) is a no-op. */
void imap_secret_free(char *secret);

#endif
