/*
 * quote.c: command lines for the far side's shell, built from an argv.
 *
 * POSIX sh: each word in single quotes; a single quote is written '\''.
 * Every byte but NUL is carried as it is.
 *
 * PowerShell: each word a single-quoted string.  PowerShell's tokenizer
 * takes four characters as a single quote (' U+2018 U+2019 U+201A
 * U+201B); inside a single-quoted string a doubled quote character stands
 * for itself and nothing else is special (no $, no backtick).  Values go
 * through Windows PowerShell 5.1 to native programs, which builds a
 * Windows command line without escaping embedded double quotes and drops
 * empty strings: such words are refused rather than silently changed.
 * The script is carried as -EncodedCommand (base64 of UTF-16LE) so that
 * cmd.exe, OpenSSH for Windows' default shell, never parses a value.
 *
 * Pure functions, any thread.
 */
#include "quote.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "xmalloc.h"

/* cmd.exe's command line limit: the encoded command must fit in it. */
#define CMDLINE_MAX 8191

#define PS_PREFIX "powershell -NoProfile -NonInteractive -EncodedCommand "

/*
 * Decode one UTF-8 sequence at s (strict: no overlong forms, no
 * surrogates, at most U+10FFFF).  Returns its length, 0 if invalid.
 */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static int
ps_is_quote(uint32_t c)
{
	return c == '\'' || c == 0x2018 || c == 0x2019 || c == 0x201a ||
	    c == 0x201b;
}

int
quote_sh_word(struct buf *out, const char *word, struct err *e)
{
	const char *p;

	if (word == NULL)
		return err_set(e, "quote for sh: missing word");
	buf_putc(out, '\'');
	for (p = word; *p != '\0'; p++) {
		if (*p == '\'')
			buf_puts(out, "'\\''");
		else
			buf_putc(out, *p);
	}
	buf_putc(out, '\'');
	return 0;
}

int
quote_ps_word(struct buf *out, const char *word, struct err *e)
{
	const unsigned char *p;
	uint32_t cp;
	size_t n;

	if (word == NULL)
		return err_set(e, "quote for PowerShell: missing word");
	/* Check first, so that a refused word leaves out untouched. */
	for (p = (const unsigned char *)word; *p != '\0'; p += n)
		if ((n = utf8_decode(p, &cp)) == 0)
			return err_set(e, "quote for PowerShell: \"%.40s\" is "
			    "not valid UTF-8 (byte %zu); it cannot be carried",
			    word, (size_t)(p - (const unsigned char *)word));
	buf_putc(out, '\'');
	for (p = (const unsigned char *)word; *p != '\0'; p += n) {
		n = utf8_decode(p, &cp);
		buf_append(out, p, n);
		if (ps_is_quote(cp))
			buf_append(out, p, n);
	}
	buf_putc(out, '\'');
	return 0;
}

int
quote_sh_argv(struct buf *out, const char *const *argv, struct err *e)
{
	size_t i;

	if (argv == NULL || argv[0] == NULL)
		return err_set(e, "quote for sh: empty command");
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_putc(out, ' ');
		if (quote_sh_word(out, argv[i], e) == -1)
			return -1;
	}
	return 0;
}

/*
 * A word Windows PowerShell 5.1 passes to a native program unchanged:
 * not empty (dropped), no double quote (not escaped), no backslash at the
 * end of a word with white space (it would escape the closing quote).
 */
static int
ps_native_arg_ok(const char *w, struct err *e)
{
	size_t len = strlen(w);

	if (len == 0)
		return err_set(e, "quote for PowerShell: an empty argument "
		    "is dropped by Windows PowerShell; refused");
	if (strchr(w, '"') != NULL)
		return err_set(e, "quote for PowerShell: \"%.40s\" holds a "
		    "double quote, which Windows PowerShell does not pass to "
		    "programs intact; refused (pass it on stdin)", w);
	if (w[len - 1] == '\\' && strpbrk(w, " \t") != NULL)
		return err_set(e, "quote for PowerShell: \"%.40s\" ends with "
		    "a backslash and holds a space, which Windows PowerShell "
		    "does not pass intact; refused", w);
	return 0;
}

int
quote_ps_argv(struct buf *out, const char *const *argv, struct err *e)
{
	struct buf b = { 0 };
	size_t i;
	int rc = -1;

	if (argv == NULL || argv[0] == NULL)
		return err_set(e, "quote for PowerShell: empty command");
	buf_puts(&b, "try { & ");
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0) {
			buf_putc(&b, ' ');
			if (ps_native_arg_ok(argv[i], e) == -1)
				goto out;
		} else if (argv[0][0] == '\0') {
			err_set(e, "quote for PowerShell: empty program name");
			goto out;
		}
		if (quote_ps_word(&b, argv[i], e) == -1)
			goto out;
	}
	buf_puts(&b, " } catch { [Console]::Error.WriteLine($_); exit 127 }; "
	    "exit $LASTEXITCODE");
	buf_append(out, b.s, b.len);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int
quote_ps_encode(struct buf *out, const char *script, struct err *e)
{
	const unsigned char *p;
	unsigned char *u16, *b64;
	size_t n, len = 0, cap, b64len;
	uint32_t cp;

	if (script == NULL)
		return err_set(e, "quote for PowerShell: missing script");
	cap = strlen(script) * 2 + 2;
	u16 = xmalloc(cap);
	for (p = (const unsigned char *)script; *p != '\0'; p += n) {
		if ((n = utf8_decode(p, &cp)) == 0) {
			free(u16);
			return err_set(e, "quote for PowerShell: the script is "
			    "not valid UTF-8 (byte %zu)",
			    (size_t)(p - (const unsigned char *)script));
		}
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;
			uint32_t hi = 0xd800 | (v >> 10), lo = 0xdc00 |
			    (v & 0x3ff);

			u16[len++] = hi & 0xff;
			u16[len++] = hi >> 8;
			u16[len++] = lo & 0xff;
			u16[len++] = lo >> 8;
		} else {
			u16[len++] = cp & 0xff;
			u16[len++] = cp >> 8;
		}
	}
	b64len = 4 * ((len + 2) / 3);
	if (strlen(PS_PREFIX) + b64len > CMDLINE_MAX) {
		free(u16);
		return err_set(e, "quote for PowerShell: the script (%zu "
		    "characters) is too long for a Windows command line once "
		    "encoded; pass data on stdin", strlen(script));
	}
	b64 = xmalloc(b64len + 1);
	EVP_EncodeBlock(b64, u16, (int)len);
	buf_puts(out, PS_PREFIX);
	buf_append(out, b64, b64len);
	free(b64);
	free(u16);
	return 0;
}

int
quote_for_shell(enum host_shell shell, const char *const *argv,
    struct buf *out, struct err *e)
{
	struct buf script = { 0 };
	int rc;

	if (shell == HOST_SHELL_SH)
		return quote_sh_argv(out, argv, e);
	if ((rc = quote_ps_argv(&script, argv, e)) == 0)
		rc = quote_ps_encode(out, buf_str(&script), e);
	buf_free(&script);
	return rc;
}
