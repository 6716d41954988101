/*
 * sha256.c: SHA-256 with OpenSSL's EVP interface.  Any thread; the file
 * functions block on the file system.
 */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "xmalloc.h"

#define CHUNK (1024 * 1024)

struct sha256_ctx {
	EVP_MD_CTX *md;
};

static void
md_fail(void)
{
	fprintf(stderr, "drdeck: OpenSSL SHA-256 failed\n");
	abort();
}

struct sha256_ctx *
sha256_new(void)
{
	struct sha256_ctx *c = xcalloc(1, sizeof *c);

	if ((c->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1)
		md_fail();
	return c;
}

void
sha256_update(struct sha256_ctx *c, const void *data, size_t n)
{
	if (n > 0 && EVP_DigestUpdate(c->md, data, n) != 1)
		md_fail();
}

void
sha256_final_raw(struct sha256_ctx *c, unsigned char dig[32])
{
	unsigned int n = 32;

	if (EVP_DigestFinal_ex(c->md, dig, &n) != 1)
		md_fail();
	sha256_free(c);
}

void
sha256_final_hex(struct sha256_ctx *c, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char dig[32];
	int i;

	sha256_final_raw(c, dig);
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[dig[i] >> 4];
		hex[2 * i + 1] = digits[dig[i] & 15];
	}
	hex[64] = '\0';
}

struct sha256_ctx *
sha256_dup(const struct sha256_ctx *c)
{
	struct sha256_ctx *d = xcalloc(1, sizeof *d);

	if ((d->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_MD_CTX_copy_ex(d->md, c->md) != 1)
		md_fail();
	return d;
}

void
sha256_free(struct sha256_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

int
sha256_file_into(struct sha256_ctx *c, const char *path, uint64_t offset,
    uint64_t limit, struct err *e)
{
	char *buf = NULL;
	uint64_t done = 0;
	ssize_t n;
	size_t want;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (offset > 0 && lseek(fd, (off_t)offset, SEEK_SET) == -1) {
		err_set(e, "%s: seek: %s", path, strerror(errno));
		goto out;
	}
	buf = xmalloc(CHUNK);
	while (done < limit) {
		want = limit - done < CHUNK ? (size_t)(limit - done) : CHUNK;
		n = read(fd, buf, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, "%s: read: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		sha256_update(c, buf, (size_t)n);
		done += (uint64_t)n;
	}
	if (limit != UINT64_MAX && done < limit) {
		err_set(e, "%s: shorter than expected (%llu of %llu bytes)",
		    path, (unsigned long long)done, (unsigned long long)limit);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int
sha256_file(const char *path, char hex[65], struct err *e)
{
	struct sha256_ctx *c = sha256_new();

	if (sha256_file_into(c, path, 0, UINT64_MAX, e) == -1) {
		sha256_free(c);
		return -1;
	}
	sha256_final_hex(c, hex);
	return 0;
}
