/*
 * gz.c - zlib wrappers. Input to gz_inflate is untrusted (report attachments,
 * POST bodies, files); output is capped before it is allocated.
 */
#include "gz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "xalloc.h"

int gz_is_gzip(const uint8_t *data, size_t len)
{
	return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

int gz_inflate(const uint8_t *data, size_t len, size_t cap, uint8_t **out, size_t *outlen,
               char *err, size_t errlen)
{
	z_stream z;
	uint8_t *buf = NULL;
	size_t alloc, total = 0;
	int zrc, rc = -1, inited = 0;

	memset(&z, 0, sizeof(z));
	if (!gz_is_gzip(data, len)) {
		snprintf(err, errlen, "not gzip data");
		goto out;
	}
	if (len > UINT32_MAX) {
		snprintf(err, errlen, "gzip input too large");
		goto out;
	}
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, errlen, "gzip: cannot initialise zlib");
		goto out;
	}
	inited = 1;
	/* start small: real reports inflate to a few KiB */
	alloc = len * 4 + 1024;
	if (alloc > cap + 1)
		alloc = cap + 1;
	buf = xmalloc(alloc);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	for (;;) {
		if (total + 1 >= alloc) {
			if (alloc > cap) {
				snprintf(err, errlen,
				         "gzip: inflated size exceeds the limit of %zu bytes", cap);
				goto out;
			}
			alloc = alloc * 2 > cap + 1 ? cap + 1 : alloc * 2;
			buf = xrealloc(buf, alloc);
		}
		z.next_out = buf + total;
		z.avail_out = (uInt)(alloc - 1 - total);
		zrc = inflate(&z, Z_NO_FLUSH);
		total = (size_t)(z.next_out - buf);
		if (total > cap) {
			snprintf(err, errlen, "gzip: inflated size exceeds the limit of %zu bytes",
			         cap);
			goto out;
		}
		if (zrc == Z_STREAM_END) {
			/* RFC 1952: members may be concatenated. Trailing zero
			 * padding (some tools add it) ends the stream too. */
			while (z.avail_in > 0 && *z.next_in == 0) {
				z.next_in++;
				z.avail_in--;
			}
			if (z.avail_in == 0)
				break;
			if (!gz_is_gzip(z.next_in, z.avail_in)) {
				snprintf(err, errlen, "gzip: trailing garbage after member");
				goto out;
			}
			if (inflateReset(&z) != Z_OK) {
				snprintf(err, errlen, "gzip: cannot reset zlib");
				goto out;
			}
			continue;
		}
		if (zrc == Z_OK)
			continue;
		if (zrc == Z_BUF_ERROR && z.avail_in == 0) {
			snprintf(err, errlen, "gzip: truncated data");
			goto out;
		}
		if (zrc == Z_BUF_ERROR)
			continue; /* output full; grown above */
		snprintf(err, errlen, "gzip: corrupt data (%s)",
		         z.msg != NULL ? z.msg : "inflate error");
		goto out;
	}
	buf[total] = '\0';
	*out = buf;
	*outlen = total;
	buf = NULL;
	rc = 0;
out:
	if (inited)
		inflateEnd(&z);
	free(buf);
	return rc;
}

void gz_deflate(const uint8_t *data, size_t len, uint8_t **out, size_t *outlen)
{
	z_stream z;
	uint8_t *buf;
	size_t alloc;
	int zrc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		fprintf(stderr, "tlswatch: zlib deflateInit2 failed\n");
		exit(2);
	}
	alloc = deflateBound(&z, (uLong)len) + 32;
	buf = xmalloc(alloc);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)alloc;
	zrc = deflate(&z, Z_FINISH);
	if (zrc != Z_STREAM_END) {
		fprintf(stderr, "tlswatch: zlib deflate failed\n");
		exit(2);
	}
	*outlen = z.total_out;
	*out = buf;
	deflateEnd(&z);
}
