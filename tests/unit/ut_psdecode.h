/*
 * ut_psdecode.h: for the unit tests of PowerShell command lines (sourced
 * by test_quote.c and test_pidmark.c after cmocka.h, openssl/evp.h and
 * buf.h).  Checks the "powershell ... -EncodedCommand B64" shape and
 * decodes the base64 UTF-16LE script back to UTF-8 (a new string).
 */
#ifndef DRDECK_UT_PSDECODE_H
#define DRDECK_UT_PSDECODE_H

static char *
ut_decode_ps(const char *cmdline)
{
	const char *prefix =
	    "powershell -NoProfile -NonInteractive -EncodedCommand ";
	const char *b64;
	unsigned char *raw;
	struct buf out = { 0 };
	size_t len, i, n;
	int rawlen;

	assert_int_equal(strncmp(cmdline, prefix, strlen(prefix)), 0);
	b64 = cmdline + strlen(prefix);
	len = strlen(b64);
	assert_int_equal(len % 4, 0);
	assert_null(strpbrk(b64, " \n\r\"'"));
	raw = malloc(len);
	rawlen = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	assert_true(rawlen >= 0);
	n = (size_t)rawlen;
	if (len >= 1 && b64[len - 1] == '=')
		n--;
	if (len >= 2 && b64[len - 2] == '=')
		n--;
	assert_int_equal(n % 2, 0);
	for (i = 0; i < n; i += 2) {
		uint32_t c = raw[i] | (raw[i + 1] << 8);

		if (c >= 0xd800 && c <= 0xdbff) {
			uint32_t lo = raw[i + 2] | (raw[i + 3] << 8);

			assert_true(lo >= 0xdc00 && lo <= 0xdfff);
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		}
		if (c < 0x80)
			buf_putc(&out, (char)c);
		else if (c < 0x800) {
			buf_putc(&out, (char)(0xc0 | (c >> 6)));
			buf_putc(&out, (char)(0x80 | (c & 0x3f)));
		} else if (c < 0x10000) {
			buf_putc(&out, (char)(0xe0 | (c >> 12)));
			buf_putc(&out, (char)(0x80 | ((c >> 6) & 0x3f)));
			buf_putc(&out, (char)(0x80 | (c & 0x3f)));
		} else {
			buf_putc(&out, (char)(0xf0 | (c >> 18)));
			buf_putc(&out, (char)(0x80 | ((c >> 12) & 0x3f)));
			buf_putc(&out, (char)(0x80 | ((c >> 6) & 0x3f)));
			buf_putc(&out, (char)(0x80 | (c & 0x3f)));
		}
	}
	free(raw);
	return buf_detach(&out);
}

#endif
