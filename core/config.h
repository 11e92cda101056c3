/*
 * config.h - the INI configuration file (parsed with inih).
 *
 * Keys before any [section] are global ("database"); others live in
 * [imap], [web], [alert] and so on. Every key is checked against the known
 * list, so a typo is an error naming the file and line rather than a
 * setting silently ignored. The file is trusted (root or the operator
 * writes it) but still parsed with limits.
 */
#ifndef TLSWATCH_CONFIG_H
#define TLSWATCH_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/tlswatch/tlswatch.conf"

struct config;

/* Loads path. Returns 0 with *out set, or -1 with "FILE:LINE: reason". */
int config_load(const char *path, struct config **out, char *err, size_t errlen);
/* Parses len bytes of INI text (for tests and fuzzing); name is used in
 * error messages. Same results as config_load. */
int config_parse_text(const char *text, size_t len, const char *name, struct config **out,
                      char *err, size_t errlen);
/* An empty configuration (no file). */
struct config *config_new_empty(void);
void config_free(struct config *c);

/* The value of key in section ("" for global), or NULL when unset. */
const char *config_get(const struct config *c, const char *section, const char *key);
/* The file the configuration came from, or NULL. */
const char *config_path(const struct config *c);

#endif
