/*
 * sha256.h: SHA-256 of local files and buffers (OpenSSL EVP).
 * Any thread; sha256_file blocks on the file system.
 */
#ifndef DRDECK_SHA256_H
#define DRDECK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct sha256_ctx;

struct sha256_ctx *sha256_new(void);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
/* Finish as 64 lowercase hex digits + NUL, and free c. */
void sha256_final_hex(struct sha256_ctx *c, char hex[65]);
/* Finish as 32 bytes, and free c. */
void sha256_final_raw(struct sha256_ctx *c, unsigned char dig[32]);
/* A copy of c in its current state. */
struct sha256_ctx *sha256_dup(const struct sha256_ctx *c);
void sha256_free(struct sha256_ctx *c);

/* Hash the first limit bytes of a file (UINT64_MAX: all of it) into c
 * (which may already hold a prefix).  Fails if the file is shorter. */
int sha256_file_into(struct sha256_ctx *c, const char *path,
    uint64_t offset, uint64_t limit, struct err *e) WUR;
/* The whole file as hex. */
int sha256_file(const char *path, char hex[65], struct err *e) WUR;

#endif
