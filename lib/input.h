/*
 * input.h - reading a whole input (file or stdin) with a size cap.
 *
 * The cap is applied while reading: a 10 GiB file costs at most cap + 1
 * bytes. An input over the cap is reported as truncated (and its full size,
 * where the file system knows it), so it can be quarantined rather than
 * dropped.
 */
#ifndef TLSWATCH_INPUT_H
#define TLSWATCH_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
	uint8_t *data; /* NUL-terminated at len; owned */
	size_t len;
	int64_t size;  /* full size when known, else len (or cap + 1) */
	int truncated; /* 1: more than cap bytes; data holds the first cap */
};

/* Reads fd to its end (or cap); a regular file within the cap, to the
 * size fstat gave when reading began. 0, or -1 with strerror in err. */
int input_read_fd(int fd, size_t cap, struct input *in, char *err, size_t errlen);
/* input_read_fd for a caller that has just looked at fd: file_size is the
 * size fstat gave for a regular file, -1 for anything else. Saves a
 * second fstat per file of an ingest. */
int input_read_sized(int fd, int64_t file_size, size_t cap, struct input *in, char *err,
                     size_t errlen);
/* Opens and reads path ("-" is stdin). 0, or -1 with "PATH: reason". */
int input_read_path(const char *path, size_t cap, struct input *in, char *err, size_t errlen);
void input_free(struct input *in);

#endif
