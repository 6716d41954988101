/*
 * test_quote.c: command lines for sh and PowerShell (quote.h).
 *
 * sh: every hostile word must come back byte for byte from a real
 * /bin/sh running printf %s.  PowerShell: the rendering follows the
 * language's quoting rules (about_Quoting_Rules: in a single-quoted
 * string nothing is expanded and a quote is written twice; the tokenizer
 * counts ' U+2018 U+2019 U+201A U+201B as single quotes), and
 * -EncodedCommand is base64 of UTF-16LE (about_PowerShell_exe).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "buf.h"
#include "quote.h"
#include "ut_psdecode.h"

static const char *const hostile[] = {
	"plain",
	"",
	"it's",
	"'",
	"''",
	"\"double\"",
	"`backtick`",
	"$(touch /tmp/drdeck-pwned)",
	"`touch /tmp/drdeck-pwned`",
	"a; rm -rf /tmp/x",
	"a & b",
	"a | b",
	"a > /tmp/drdeck-out",
	"< /etc/passwd",
	"line1\nline2\n",
	"\r\n",
	"%PATH%",
	"$env:PATH",
	"${HOME}",
	"$HOME",
	"\\",
	"back\\slash\\",
	"-n",
	"--help",
	"-e \\n",
	"tab\there",
	"*",
	"?[a-z]",
	"~root",
	"caf\xc3\xa9 \xe2\x80\x98quoted\xe2\x80\x99 \xf0\x9f\x98\x80",
	"!!",
	"#comment",
	"a b  c",
};

static char *
run_sh(const char *cmdline, size_t *len)
{
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f;

	f = popen(cmdline, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	assert_int_equal(pclose(f), 0);
	*len = b.len;
	return buf_detach(&b);
}

static void
test_sh_word(void **state)
{
	struct buf b = { 0 };
	struct err e = { "" };

	assert_int_equal(quote_sh_word(&b, "abc", &e), 0);
	assert_string_equal(buf_str(&b), "'abc'");
	buf_reset(&b);
	assert_int_equal(quote_sh_word(&b, "it's", &e), 0);
	assert_string_equal(buf_str(&b), "'it'\\''s'");
	buf_reset(&b);
	assert_int_equal(quote_sh_word(&b, "", &e), 0);
	assert_string_equal(buf_str(&b), "''");
	buf_reset(&b);
	assert_int_equal(quote_sh_word(&b, NULL, &e), -1);
	buf_reset(&b);
	assert_int_equal(quote_sh_argv(&b, (const char *[]){ NULL }, &e), -1);
	buf_free(&b);
}

static void
test_sh_round_trip(void **state)
{
	struct err e = { "" };
	size_t i, len;

	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		const char *argv[] = { "printf", "%s", hostile[i], NULL };
		struct buf b = { 0 };
		char *out;

		assert_int_equal(quote_sh_argv(&b, argv, &e), 0);
		out = run_sh(buf_str(&b), &len);
		assert_int_equal(len, strlen(hostile[i]));
		assert_memory_equal(out, hostile[i], len);
		free(out);
		buf_free(&b);
	}
}

static void
test_ps_word(void **state)
{
	struct buf b = { 0 };
	struct err e = { "" };

	assert_int_equal(quote_ps_word(&b, "abc", &e), 0);
	assert_string_equal(buf_str(&b), "'abc'");
	buf_reset(&b);
	/* Nothing expands inside single quotes: $, backtick, %, " stay. */
	assert_int_equal(quote_ps_word(&b, "$env:X `n %PATH% \"q\" $(x)", &e),
	    0);
	assert_string_equal(buf_str(&b), "'$env:X `n %PATH% \"q\" $(x)'");
	buf_reset(&b);
	assert_int_equal(quote_ps_word(&b, "it's", &e), 0);
	assert_string_equal(buf_str(&b), "'it''s'");
	buf_reset(&b);
	/* Typographic single quotes end a string too: doubled. */
	assert_int_equal(quote_ps_word(&b, "a\xe2\x80\x98" "b\xe2\x80\x99"
	    "c\xe2\x80\x9a" "d\xe2\x80\x9b" "e", &e), 0);
	assert_string_equal(buf_str(&b), "'a\xe2\x80\x98\xe2\x80\x98"
	    "b\xe2\x80\x99\xe2\x80\x99" "c\xe2\x80\x9a\xe2\x80\x9a"
	    "d\xe2\x80\x9b\xe2\x80\x9b" "e'");
	buf_reset(&b);
	/* Double quotes (also typographic) are not special in '...'. */
	assert_int_equal(quote_ps_word(&b, "\xe2\x80\x9cx\xe2\x80\x9d", &e), 0);
	assert_string_equal(buf_str(&b), "'\xe2\x80\x9cx\xe2\x80\x9d'");
	buf_reset(&b);
	assert_int_equal(quote_ps_word(&b, "", &e), 0);
	assert_string_equal(buf_str(&b), "''");
	buf_free(&b);
}

static void
test_ps_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xc0\xaf",		/* overlong '/' */
		"\xe0\x80\xaf",		/* overlong */
		"a\x80",		/* lone continuation */
		"\xc3",			/* truncated */
		"\xe2\x80",		/* truncated */
		"\xed\xa0\x80",		/* surrogate */
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"\xff",
		"\xfe",
	};
	struct buf b = { 0 };
	struct err e = { "" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(quote_ps_word(&b, bad[i], &e), -1);
		assert_non_null(strstr(e.msg, "UTF-8"));
		assert_int_equal(b.len, 0);
		assert_int_equal(quote_ps_encode(&b, bad[i], &e), -1);
		assert_int_equal(b.len, 0);
	}
	buf_free(&b);
}

static void
test_ps_argv(void **state)
{
	const char *ok[] = { "C:\\Program Files\\pg\\pg_dump.exe", "-Fc",
	    "-f", "C:\\Backups\\db\\it's.dump", "$env:X", NULL };
	struct buf b = { 0 };
	struct err e = { "" };

	assert_int_equal(quote_ps_argv(&b, ok, &e), 0);
	assert_string_equal(buf_str(&b),
	    "try { & 'C:\\Program Files\\pg\\pg_dump.exe' '-Fc' '-f' "
	    "'C:\\Backups\\db\\it''s.dump' '$env:X' } catch { "
	    "[Console]::Error.WriteLine($_); exit 127 }; exit $LASTEXITCODE");
	buf_reset(&b);
	/* What Windows PowerShell would not pass intact is refused. */
	assert_int_equal(quote_ps_argv(&b, (const char *[]){ "x", "", NULL },
	    &e), -1);
	assert_non_null(strstr(e.msg, "empty"));
	assert_int_equal(quote_ps_argv(&b, (const char *[]){ "x", "a\"b",
	    NULL }, &e), -1);
	assert_non_null(strstr(e.msg, "double quote"));
	assert_int_equal(quote_ps_argv(&b, (const char *[]){ "x",
	    "C:\\a b\\", NULL }, &e), -1);
	assert_int_equal(quote_ps_argv(&b, (const char *[]){ "", NULL }, &e),
	    -1);
	assert_int_equal(quote_ps_argv(&b, (const char *[]){ NULL }, &e), -1);
	assert_int_equal(b.len, 0);
	/* A trailing backslash without a space is fine. */
	assert_int_equal(quote_ps_argv(&b, (const char *[]){ "x", "C:\\a\\",
	    NULL }, &e), 0);
	buf_free(&b);
}

static void
test_ps_encode(void **state)
{
	struct buf b = { 0 };
	struct err e = { "" };
	char *back;
	size_t i;

	/* The example of about_PowerShell_exe. */
	assert_int_equal(quote_ps_encode(&b, "dir \"c:\\program files\" ", &e),
	    0);
	assert_string_equal(buf_str(&b),
	    "powershell -NoProfile -NonInteractive -EncodedCommand "
	    "ZABpAHIAIAAiAGMAOgBcAHAAcgBvAGcAcgBhAG0AIABmAGkAbABlAHMAIgAgAA==");
	buf_reset(&b);
	assert_int_equal(quote_ps_encode(&b, "dir", &e), 0);
	assert_string_equal(buf_str(&b), "powershell -NoProfile "
	    "-NonInteractive -EncodedCommand ZABpAHIA");
	buf_reset(&b);
	/* Outside the BMP: a surrogate pair. */
	assert_int_equal(quote_ps_encode(&b, "\xf0\x9f\x98\x80", &e), 0);
	assert_string_equal(buf_str(&b), "powershell -NoProfile "
	    "-NonInteractive -EncodedCommand PdgA3g==");
	buf_reset(&b);
	/* Every hostile word survives quoting + encoding. */
	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		struct buf w = { 0 };

		assert_int_equal(quote_ps_word(&w, hostile[i], &e), 0);
		assert_int_equal(quote_ps_encode(&b, buf_str(&w), &e), 0);
		back = ut_decode_ps(buf_str(&b));
		assert_string_equal(back, buf_str(&w));
		free(back);
		buf_reset(&b);
		buf_free(&w);
	}
	buf_free(&b);
}

static void
test_ps_too_long(void **state)
{
	struct buf b = { 0 };
	struct err e = { "" };
	char *big = malloc(4000);

	memset(big, 'x', 3999);
	big[3999] = '\0';
	assert_int_equal(quote_ps_encode(&b, big, &e), -1);
	assert_non_null(strstr(e.msg, "too long"));
	big[2000] = '\0';
	assert_int_equal(quote_ps_encode(&b, big, &e), 0);
	free(big);
	buf_free(&b);
}

static void
test_for_shell(void **state)
{
	const char *argv[] = { "echo", "a'b", NULL };
	struct buf b = { 0 };
	struct err e = { "" };
	char *back;

	assert_int_equal(quote_for_shell(HOST_SHELL_SH, argv, &b, &e), 0);
	assert_string_equal(buf_str(&b), "'echo' 'a'\\''b'");
	buf_reset(&b);
	assert_int_equal(quote_for_shell(HOST_SHELL_POWERSHELL, argv, &b, &e),
	    0);
	back = ut_decode_ps(buf_str(&b));
	assert_string_equal(back, "try { & 'echo' 'a''b' } catch { "
	    "[Console]::Error.WriteLine($_); exit 127 }; exit $LASTEXITCODE");
	free(back);
	buf_reset(&b);
	/* cmd.exe never carries values: the same encoded PowerShell. */
	assert_int_equal(quote_for_shell(HOST_SHELL_CMD, argv, &b, &e), 0);
	assert_non_null(strstr(buf_str(&b), "-EncodedCommand "));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sh_word),
		cmocka_unit_test(test_sh_round_trip),
		cmocka_unit_test(test_ps_word),
		cmocka_unit_test(test_ps_invalid_utf8),
		cmocka_unit_test(test_ps_argv),
		cmocka_unit_test(test_ps_encode),
		cmocka_unit_test(test_ps_too_long),
		cmocka_unit_test(test_for_shell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
