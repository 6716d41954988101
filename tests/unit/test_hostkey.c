/*
 * test_hostkey.c: the known_hosts check (ssh-hostkey.c) on key blobs and
 * files written here: exact matches accepted ([host]:port, hashed |1|
 * entries, host names in any case), everything else refused with the
 * fingerprint as ssh-keygen -l prints it and the file and line; malformed
 * lines skipped, never fatal, never a match.  The keys were made with
 * ssh-keygen; their fingerprints are ssh-keygen -l's.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "ssh-int.h"
#include "xmalloc.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIMLjDidSbzF6FT8uf1z4fvU+QRahW+hvoezWklPHqeCj"
#define K1_FP "SHA256:0hBgltgMWiZ2qWCggwfqt0XlsQMDq23Ic08HVhYxKS0"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIEokxwLwHc2WCrY3EUlWY1tsGZXpCp+GpBRKJPA5feJa"
#define K2_FP "SHA256:hopdsUSDKUuSp0i5F4Yq7bcRK/CA2+XI2ozika7xSBU"
#define K3 "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKAgklVQOr1mWj" \
	"EOIeWmeQsSCNjh5WIsGO8m2CEGc1RlKXsAo2MWfmXFyr+oMy6ZoHWmoqx3qVNTs0zZku+396A="
#define K3_FP "SHA256:7wInVHGuHm5dAmmVRYWOR54HXsIHgfvyofOaX9cbrwM"
/* ssh-keygen -H of "[db1.example.net]:2222 K1" and "db2.example.net K1". */
#define H1 "|1|vba1g8C8EdcwrWX27NTiV0JGRpw=|rGcFHPW9umqgB1EGPAuSJ7DvAYU="
#define H2 "|1|8JkX/80m31/LbLpijUVnndfaszs=|jEPzEy6NaTqRGXkVKgL/sv2oPz8="

static LIBSSH2_SESSION *sess;
static char path[] = "/tmp/drdeck-test-hostkey-XXXXXX";
static unsigned char k1[128], k2[128], k3[256];
static size_t k1_len, k2_len, k3_len;

static size_t
decode(const char *b64, unsigned char *out)
{
	size_t n = strlen(b64);
	int r = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);

	assert_true(r > 0);
	if (b64[n - 1] == '=')
		r--;
	if (b64[n - 2] == '=')
		r--;
	return (size_t)r;
}

static int
setup(void **state)
{
	int fd;

	if (libssh2_init(0) != 0 || (sess = libssh2_session_init()) == NULL)
		return -1;
	if ((fd = mkstemp(path)) == -1)
		return -1;
	close(fd);
	k1_len = decode(K1, k1);
	k2_len = decode(K2, k2);
	k3_len = decode(K3, k3);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	libssh2_session_free(sess);
	libssh2_exit();
	return 0;
}

static void
write_kh(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int
check(const char *host, int port, const unsigned char *key, size_t len,
    int type, struct err *e)
{
	return ssh_hostkey_verify(sess, (const char *)key, len, type, host,
	    port, path, e);
}

static void
test_fingerprint(void **state)
{
	char fp[64];

	ssh_fingerprint(k1, k1_len, fp);
	assert_string_equal(fp, K1_FP);
	ssh_fingerprint(k3, k3_len, fp);
	assert_string_equal(fp, K3_FP);
}

static void
test_exact_matches(void **state)
{
	struct err e = { "" };

	write_kh("# a comment\n\n"
	    "other.example.net ssh-ed25519 " K2 "\n"
	    "[db1.example.net]:2222 ssh-ed25519 " K1 " a comment\n"
	    "db2.example.net,10.0.0.2 ssh-ed25519 " K1 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
	/* Names are compared in lower case. */
	assert_int_equal(check("DB1.Example.NET", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
	/* Port 22: the plain name; a list of names and addresses. */
	assert_int_equal(check("db2.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
	assert_int_equal(check("10.0.0.2", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
	assert_int_equal(check("other.example.net", 22, k2, k2_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
}

static void
test_hashed(void **state)
{
	struct err e = { "" };

	write_kh(H1 " ssh-ed25519 " K1 "\n" H2 " ssh-ed25519 " K1 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
	assert_int_equal(check("db2.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
	/* Hashed, but for another port or host. */
	assert_int_equal(check("db1.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_int_equal(check("db3.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	/* Hashed, another key. */
	assert_int_equal(check("db2.example.net", 22, k2, k2_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_non_null(strstr(e.msg, "HOST KEY CHANGED"));
	assert_non_null(strstr(e.msg, K1_FP));
	assert_non_null(strstr(e.msg, K2_FP));
	assert_non_null(strstr(e.msg, "line 2"));
}

static void
test_not_found(void **state)
{
	struct err e = { "" };

	write_kh("other.example.net ssh-ed25519 " K2 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_non_null(strstr(e.msg, "[db1.example.net]:2222 is not in"));
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, K1_FP));
	assert_non_null(strstr(e.msg, "ssh-keyscan -p 2222 -t ed25519"));
	assert_non_null(strstr(e.msg, "refusing"));
	/* A plain entry does not stand for another port (OpenSSH). */
	write_kh("db1.example.net ssh-ed25519 " K1 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	/* Nor a [host]:port entry for port 22 or another port. */
	write_kh("[db1.example.net]:2200 ssh-ed25519 " K1 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_int_equal(check("db1.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	/* An empty file. */
	write_kh("");
	assert_int_equal(check("db1.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
}

static void
test_changed(void **state)
{
	struct err e = { "" };

	write_kh("# first\n[db1.example.net]:2222 ssh-ed25519 " K2 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_non_null(strstr(e.msg, "HOST KEY CHANGED for "
	    "[db1.example.net]:2222"));
	assert_non_null(strstr(e.msg, K1_FP));
	assert_non_null(strstr(e.msg, K2_FP));
	assert_non_null(strstr(e.msg, "line 2"));
	/* A changed key on one line and the right one on another: the
	 * exact match wins, as with OpenSSH. */
	write_kh("[db1.example.net]:2222 ssh-ed25519 " K2 "\n"
	    "[db1.example.net]:2222 ssh-ed25519 " K1 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
}

static void
test_other_type(void **state)
{
	struct err e = { "" };

	/* Only an ECDSA key on file; the host offers ed25519. */
	write_kh("[db1.example.net]:2222 ecdsa-sha2-nistp256 " K3 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_non_null(strstr(e.msg, "another type"));
	assert_non_null(strstr(e.msg, "ecdsa-sha2-nistp256"));
	assert_non_null(strstr(e.msg, K3_FP));
	assert_non_null(strstr(e.msg, K1_FP));
	assert_non_null(strstr(e.msg, "line 1"));
	/* The ECDSA key itself matches. */
	assert_int_equal(check("db1.example.net", 2222, k3, k3_len,
	    LIBSSH2_HOSTKEY_TYPE_ECDSA_256, &e), 0);
	/* The right blob presented as another type is no match. */
	assert_int_equal(check("db1.example.net", 2222, k3, k3_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
}

static void
test_revoked_and_markers(void **state)
{
	struct err e = { "" };

	write_kh("@revoked [db1.example.net]:2222 ssh-ed25519 " K1 "\n"
	    "[db1.example.net]:2222 ssh-ed25519 " K1 "\n");
	assert_int_equal(check("db1.example.net", 2222, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_non_null(strstr(e.msg, "@revoked"));
	assert_non_null(strstr(e.msg, "line 1"));
	/* A CA line is not a host key. */
	write_kh("@cert-authority *.example.net ssh-ed25519 " K1 "\n");
	assert_int_equal(check("db1.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_non_null(strstr(e.msg, "is not in"));
}

static void
test_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"db1.example.net\n",
		"db1.example.net ssh-ed25519\n",
		"db1.example.net ssh-ed25519 !!!notbase64!!!\n",
		"db1.example.net ssh-foo " K1 "\n",
		"|1|bad|hash ssh-ed25519 " K1 "\n",
		"|1|\n",
		"@revoked\n",
		"   \t  \n",
		"\xff\xfe garbage \x01\x02\n",
		("db1.example.net ssh-ed25519 " K1),	/* no newline: fine */
	};
	struct err e = { "" };
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		/* Alone: never a match. */
		write_kh(bad[i]);
		assert_int_equal(check("db2.example.net", 22, k1, k1_len,
		    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
		/* Before a good line: skipped, the good line matches. */
		snprintf(text, sizeof text, "%s\ndb2.example.net ssh-ed25519 "
		    K1 "\n", bad[i]);
		write_kh(text);
		assert_int_equal(check("db2.example.net", 22, k1, k1_len,
		    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), 0);
	}
}

static void
test_unreadable(void **state)
{
	struct err e = { "" };
	char *old = xstrdup(path);

	unlink(path);
	assert_int_equal(check("db1.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_non_null(strstr(e.msg, "cannot read known_hosts"));
	assert_non_null(strstr(e.msg, K1_FP));
	/* A folder in its place. */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(check("db1.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, &e), -1);
	assert_int_equal(rmdir(path), 0);
	write_kh("");
	free(old);
}

static void
test_unusable_types(void **state)
{
	struct err e = { "" };

	write_kh("db1.example.net ssh-ed25519 " K1 "\n");
	assert_int_equal(check("db1.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_UNKNOWN, &e), -1);
	assert_int_equal(check("db1.example.net", 22, k1, k1_len,
	    LIBSSH2_HOSTKEY_TYPE_DSS, &e), -1);
	assert_non_null(strstr(e.msg, "unusable type"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_exact_matches),
		cmocka_unit_test(test_hashed),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_changed),
		cmocka_unit_test(test_other_type),
		cmocka_unit_test(test_revoked_and_markers),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_unusable_types),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
