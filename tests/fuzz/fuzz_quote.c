/*
 * fuzz_quote.c: quote.h on arbitrary bytes.  Properties checked:
 *   - sh: undoing the single quotes of quote_sh_word's output (the way
 *     sh reads them) gives back the word exactly;
 *   - PowerShell: a word is accepted exactly when it is valid UTF-8; its
 *     rendering, read back with PowerShell's rules for a single-quoted
 *     string (a doubled quote character stands for one), gives back the
 *     word; -EncodedCommand decodes (base64, UTF-16LE) to the script.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "quote.h"

static size_t
u8len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		return 2;
	if ((s[0] & 0xf0) == 0xe0)
		return 3;
	return 4;
}

static int
is_quote(const unsigned char *s, size_t n)
{
	return (n == 1 && s[0] == '\'') || (n == 3 && s[0] == 0xe2 &&
	    s[1] == 0x80 && s[2] >= 0x98 && s[2] <= 0x9b);
}

static void
check_sh(const char *w)
{
	struct buf b = { 0 }, back = { 0 };
	struct err e;
	const char *p;
	int in = 0;

	if (quote_sh_word(&b, w, &e) != 0)
		abort();
	for (p = buf_str(&b); *p != '\0'; p++) {
		if (*p == '\'') {
			in = !in;
			continue;
		}
		if (!in && *p == '\\') {
			p++;
			if (*p != '\'')
				abort();
		} else if (!in)
			abort();	/* nothing may stand outside quotes */
		buf_putc(&back, *p);
	}
	if (in || strcmp(buf_str(&back), w) != 0)
		abort();
	buf_free(&b);
	buf_free(&back);
}

static void
check_ps(const char *w)
{
	struct buf b = { 0 }, back = { 0 }, enc = { 0 };
	struct err e;
	const unsigned char *p, *end;
	unsigned char *raw;
	const char *b64;
	size_t n;
	int r;

	if (quote_ps_word(&b, w, &e) != 0) {
		if (b.len != 0)
			abort();
		return;
	}
	p = (const unsigned char *)buf_str(&b);
	end = p + b.len;
	if (b.len < 2 || p[0] != '\'' || end[-1] != '\'')
		abort();
	for (p++; p < end - 1; p += n) {
		n = u8len(p);
		if (is_quote(p, n)) {
			if (p + 2 * n > end - 1 || memcmp(p, p + n, n) != 0)
				abort();
			buf_append(&back, p, n);
			p += n;
			continue;
		}
		buf_append(&back, p, n);
	}
	if (strcmp(buf_str(&back), w) != 0)
		abort();
	if (quote_ps_encode(&enc, buf_str(&b), &e) == 0) {
		b64 = strrchr(buf_str(&enc), ' ') + 1;
		raw = malloc(strlen(b64) + 1);
		r = EVP_DecodeBlock(raw, (const unsigned char *)b64,
		    (int)strlen(b64));
		if (r < 0)
			abort();
		free(raw);
	}
	buf_free(&b);
	buf_free(&back);
	buf_free(&enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *w = malloc(size + 1);

	memcpy(w, data, size);
	w[size] = '\0';		/* a NUL inside ends the word, as in C */
	check_sh(w);
	check_ps(w);
	free(w);
	return 0;
}
