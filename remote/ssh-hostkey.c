/*
 * ssh-hostkey.c: the host key check against an OpenSSH known_hosts file.
 *
 * Anything but an exact match is refused: a host not on file, on file
 * with another key, on file only with a key of another type, a @revoked
 * key, a missing or unreadable file.  Entries are read one line at a
 * time through libssh2's own parser (hashed |1| entries included), so
 * that the message can name the file and the line to look at.  The host
 * name is compared in lowercase; a port other than 22 is looked up as
 * [host]:port only, as OpenSSH does.  Runs on the connecting thread;
 * blocks only on reading the file.
 */
#include "ssh-int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "xmalloc.h"

struct keytype {
	int	 hostkey;	/* LIBSSH2_HOSTKEY_TYPE_* */
	int	 mask;		/* LIBSSH2_KNOWNHOST_KEY_* */
	const char *name;
	const char *keyscan;	/* ssh-keyscan -t */
};

static const struct keytype keytypes[] = {
	{ LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519,
	    "ssh-ed25519", "ed25519" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256,
	    "ecdsa-sha2-nistp256", "ecdsa" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384,
	    "ecdsa-sha2-nistp384", "ecdsa" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521,
	    "ecdsa-sha2-nistp521", "ecdsa" },
	{ LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa",
	    "rsa" },
	{ LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss",
	    "dsa" },
};

static const struct keytype *
type_by_hostkey(int t)
{
	size_t i;

	for (i = 0; i < sizeof keytypes / sizeof keytypes[0]; i++)
		if (keytypes[i].hostkey == t)
			return &keytypes[i];
	return NULL;
}

static const char *
name_by_mask(int mask)
{
	size_t i;

	for (i = 0; i < sizeof keytypes / sizeof keytypes[0]; i++)
		if (keytypes[i].mask == (mask & LIBSSH2_KNOWNHOST_KEY_MASK))
			return keytypes[i].name;
	return "unknown";
}

void
ssh_fingerprint(const unsigned char *blob, size_t len, char out[64])
{
	unsigned char dig[EVP_MAX_MD_SIZE], b64[64];
	unsigned int dlen = 0;
	int n;

	EVP_Digest(blob, len, dig, &dlen, EVP_sha256(), NULL);
	n = EVP_EncodeBlock(b64, dig, (int)dlen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	b64[n] = '\0';
	snprintf(out, 64, "SHA256:%s", (char *)b64);
}

/* Decode a base64 key as stored by libssh2; NULL if it is not base64. */
static unsigned char *
b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), pad = 0;
	unsigned char *out;
	int r;

	if (n == 0 || n % 4 != 0)
		return NULL;
	out = xmalloc(n);
	if ((r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n)) < 0) {
		free(out);
		return NULL;
	}
	if (s[n - 1] == '=')
		pad++;
	if (n >= 2 && s[n - 2] == '=')
		pad++;
	*len = (size_t)r - pad;
	return out;
}

/* A hashed entry "|1|<salt>|<hash> ..." with two base64 SHA-1 sizes. */
static int
hashed_ok(const char *p)
{
	const char *salt = p + 3, *bar, *hash, *end;
	unsigned char *raw;
	size_t len;
	char field[64];
	int i, ok = 1;

	if ((bar = strchr(salt, '|')) == NULL)
		return 0;
	hash = bar + 1;
	end = hash + strcspn(hash, " \t");
	for (i = 0; i < 2 && ok; i++) {
		const char *a = i == 0 ? salt : hash, *b = i == 0 ? bar : end;

		if (b - a != 28)
			return 0;
		memcpy(field, a, 28);
		field[28] = '\0';
		if ((raw = b64_decode(field, &len)) == NULL)
			return 0;
		ok = len == 20;
		free(raw);
	}
	return ok;
}

/* The fingerprint of the (only) entry held by kh. */
static void
entry_fingerprint(LIBSSH2_KNOWNHOSTS *kh, char fp[64], int *mask)
{
	struct libssh2_knownhost *node = NULL;
	unsigned char *blob;
	size_t len;

	snprintf(fp, 64, "(unreadable key)");
	*mask = 0;
	if (libssh2_knownhost_get(kh, &node, NULL) != 0 || node == NULL)
		return;
	*mask = node->typemask;
	if (node->key != NULL && (blob = b64_decode(node->key, &len)) != NULL) {
		ssh_fingerprint(blob, len, fp);
		free(blob);
	}
}

/* The entry held by kh names this host (whatever its key). */
static int
entry_names_host(LIBSSH2_KNOWNHOSTS *kh, const char *name)
{
	struct libssh2_knownhost *node = NULL, *found = NULL;
	unsigned char *blob;
	size_t len;
	int r;

	if (libssh2_knownhost_get(kh, &node, NULL) != 0 || node == NULL ||
	    node->key == NULL || (blob = b64_decode(node->key, &len)) == NULL)
		return 0;
	r = libssh2_knownhost_checkp(kh, name, -1, (const char *)blob, len,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
	    (node->typemask & LIBSSH2_KNOWNHOST_KEY_MASK), &found);
	free(blob);
	return r == LIBSSH2_KNOWNHOST_CHECK_MATCH;
}

int
ssh_hostkey_check(LIBSSH2_SESSION *s, const char *host, int port,
    const char *known_hosts, struct err *e)
{
	const char *key;
	size_t klen;
	int ktype;

	if ((key = libssh2_session_hostkey(s, &klen, &ktype)) == NULL)
		return err_set(e, "no host key received from %s", host);
	return ssh_hostkey_verify(s, key, klen, ktype, host, port, known_hosts,
	    e);
}

int
ssh_hostkey_verify(LIBSSH2_SESSION *s, const char *key, size_t klen,
    int ktype, const char *host, int port, const char *known_hosts,
    struct err *e)
{
	const struct keytype *kt;
	char name[300], fp[64], other_fp[64] = "", other_type[32] = "";
	char line[16384];
	size_t i;
	int lineno = 0, mismatch_line = 0, other_line = 0;
	int match_line = 0, revoked_line = 0, rc = -1;
	FILE *f;

	kt = type_by_hostkey(ktype);
	ssh_fingerprint((const unsigned char *)key, klen, fp);
	if (kt == NULL || kt->hostkey == LIBSSH2_HOSTKEY_TYPE_DSS)
		return err_set(e, "%s offers a host key of an unusable type "
		    "(%s); refusing", host, fp);
	/* OpenSSH looks a port other than 22 up as [host]:port only. */
	if (port == 22)
		snprintf(name, sizeof name, "%s", host);
	else
		snprintf(name, sizeof name, "[%s]:%d", host, port);
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)name[i]);

	if ((f = fopen(known_hosts, "r")) == NULL)
		return err_set(e, "cannot read known_hosts %s (%s): no host "
		    "key to check %s against; refusing (%s %s)", known_hosts,
		    strerror(errno), name, kt->name, fp);
	while (fgets(line, sizeof line, f) != NULL) {
		LIBSSH2_KNOWNHOSTS *kh;
		struct libssh2_knownhost *found = NULL;
		char *p = line;
		int revoked = 0, r;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (*p == '@') {
			/* Markers libssh2 does not know: a @revoked key is
			 * refused; @cert-authority lines are not host keys. */
			if (strncmp(p, "@revoked", 8) != 0 ||
			    (p[8] != ' ' && p[8] != '\t'))
				continue;
			revoked = 1;
			p += 8;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (strncmp(p, "|1|", 3) == 0 && !hashed_ok(p))
			continue;	/* malformed (libssh2 1.10 leaks on it) */
		if ((kh = libssh2_knownhost_init(s)) == NULL)
			continue;
		if (libssh2_knownhost_readline(kh, p, strlen(p),
		    LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0) {
			libssh2_knownhost_free(kh);
			continue;	/* a key type libssh2 cannot read */
		}
		r = libssh2_knownhost_checkp(kh, name, -1, key, klen,
		    LIBSSH2_KNOWNHOST_TYPE_PLAIN |
		    LIBSSH2_KNOWNHOST_KEYENC_RAW | kt->mask, &found);
		if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
			if (revoked)
				revoked_line = lineno;
			else if (match_line == 0)
				match_line = lineno;
		} else if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
			if (!revoked && mismatch_line == 0) {
				int m;

				mismatch_line = lineno;
				entry_fingerprint(kh, other_fp, &m);
			}
		} else if (!revoked && other_line == 0 &&
		    entry_names_host(kh, name)) {
			int m;

			other_line = lineno;
			entry_fingerprint(kh, other_fp, &m);
			snprintf(other_type, sizeof other_type, "%s",
			    name_by_mask(m));
		}
		libssh2_knownhost_free(kh);
	}
	if (ferror(f)) {
		err_set(e, "cannot read known_hosts %s: %s; refusing",
		    known_hosts, strerror(errno));
		goto out;
	}
	if (revoked_line != 0) {
		err_set(e, "host key of %s (%s %s) is marked @revoked in %s "
		    "line %d; refusing", name, kt->name, fp, known_hosts,
		    revoked_line);
		goto out;
	}
	if (match_line != 0) {
		rc = 0;
		goto out;
	}
	if (mismatch_line != 0) {
		err_set(e, "HOST KEY CHANGED for %s: it offers %s %s but %s "
		    "line %d holds %s; refusing (a man in the middle, or a "
		    "reinstalled host: check with its owner, then fix that "
		    "line)", name, kt->name, fp, known_hosts, mismatch_line,
		    other_fp);
		goto out;
	}
	if (other_line != 0) {
		err_set(e, "host key of %s is %s %s, but %s line %d holds a "
		    "key of another type for it (%s %s); refusing%s", name,
		    kt->name, fp, known_hosts, other_line, other_type,
		    other_fp, strcmp(other_type, "ssh-rsa") == 0 ?
		    " (RSA keys do not work with libssh2 1.10, which lacks "
		    "rsa-sha2: add the host's ed25519 key)" : "");
		goto out;
	}
	err_set(e, "host %s is not in %s (it offers %s %s); refusing. Check "
	    "the fingerprint with the host's owner, then: ssh-keyscan -p %d "
	    "-t %s %s >> %s%s", name, known_hosts, kt->name, fp, port,
	    kt->keyscan, host, known_hosts, kt->hostkey ==
	    LIBSSH2_HOSTKEY_TYPE_RSA ? " (RSA host keys do not work with "
	    "libssh2 1.10: give the host an ed25519 key)" : "");
out:
	fclose(f);
	return rc;
}
