/*
 * oauth_jwt.c - RS256 and PS256 JSON Web Tokens (RFC 7515 compact form,
 * RFC 7518 section 3.3 and 3.5) for OAuth client assertions, signed by
 * GnuTLS (PKCS#1 v1.5, or RSASSA-PSS with a salt as long as the SHA-256
 * hash): no crypto of our own. Input: the operator's key and
 * certificate files (trusted, but a bad file is a clear error).
 */
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "jsonw.h"
#include "limits.h"
#include "oauth_impl.h"
#include "strbuf.h"

int oauth_b64url(struct strbuf *sb, const void *data, size_t len)
{
	gnutls_datum_t in = {(unsigned char *)(uintptr_t)data, (unsigned)len};
	gnutls_datum_t b64 = {NULL, 0};
	size_t i;
	int rc = -1;

	if (gnutls_base64_encode2(&in, &b64) < 0)
		return -1;
	for (i = 0; i < b64.size; i++) {
		char ch = (char)b64.data[i];

		if (ch == '=')
			break;
		if (ch == '+')
			ch = '-';
		else if (ch == '/')
			ch = '_';
		if (strbuf_putc(sb, ch) < 0)
			goto out;
	}
	rc = 0;
out:
	gnutls_free(b64.data);
	return rc;
}

/* The x5t header value: base64url of the SHA-1 (dig) or SHA-256 (x5t#S256)
 * of the certificate's DER. */
static int jwt_x5t(const char *cert_pem, size_t cert_len, gnutls_digest_algorithm_t dig,
                   struct strbuf *out, char *err, size_t errlen)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = {(unsigned char *)(uintptr_t)cert_pem, (unsigned)cert_len};
	unsigned char fp[32];
	size_t fplen = sizeof(fp);
	int r, rc = -1;

	if ((r = gnutls_x509_crt_init(&crt)) < 0 ||
	    (r = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		snprintf(err, errlen, "certificate_file: not a PEM certificate (%s)",
		         gnutls_strerror(r));
		goto out;
	}
	if ((r = gnutls_x509_crt_get_fingerprint(crt, dig, fp, &fplen)) < 0) {
		snprintf(err, errlen, "certificate_file: %s", gnutls_strerror(r));
		goto out;
	}
	if (oauth_b64url(out, fp, fplen) < 0) {
		snprintf(err, errlen, "certificate_file: encoding its thumbprint failed");
		goto out;
	}
	rc = 0;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return rc;
}

int oauth_jwt_sign(int pss, const char *key_pem, size_t key_len, const char *cert_pem,
                   size_t cert_len, const char *kid, const char *claims_json, char **out, char *err,
                   size_t errlen)
{
	gnutls_privkey_t key = NULL;
	gnutls_datum_t kd = {(unsigned char *)(uintptr_t)key_pem, (unsigned)key_len};
	gnutls_datum_t sig = {NULL, 0}, tbs;
	struct strbuf hdr, x5t, x5t256, jwt;
	struct jsonw w;
	int r, rc = -1;

	strbuf_init(&hdr, LIMIT_OAUTH_FIELD_BYTES);
	strbuf_init(&x5t, 64);
	strbuf_init(&x5t256, 64);
	strbuf_init(&jwt, 4 * LIMIT_OAUTH_KEY_BYTES);
	if (cert_pem != NULL &&
	    (jwt_x5t(cert_pem, cert_len, GNUTLS_DIG_SHA1, &x5t, err, errlen) < 0 ||
	     jwt_x5t(cert_pem, cert_len, GNUTLS_DIG_SHA256, &x5t256, err, errlen) < 0))
		goto out;
	jsonw_init(&w, &hdr, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "alg");
	jsonw_string(&w, pss ? "PS256" : "RS256");
	jsonw_key(&w, "typ");
	jsonw_string(&w, "JWT");
	if (cert_pem != NULL) {
		/* both thumbprints: Microsoft's current documentation names
		 * x5t#S256 with PS256, the older one x5t with RS256 */
		jsonw_key(&w, "x5t");
		jsonw_string(&w, strbuf_str(&x5t));
		if (pss) {
			jsonw_key(&w, "x5t#S256");
			jsonw_string(&w, strbuf_str(&x5t256));
		}
	}
	if (kid != NULL) {
		jsonw_key(&w, "kid");
		jsonw_string(&w, kid);
	}
	jsonw_object_end(&w);
	if (w.failed || oauth_b64url(&jwt, hdr.data, hdr.len) < 0 || strbuf_putc(&jwt, '.') < 0 ||
	    oauth_b64url(&jwt, claims_json, strlen(claims_json)) < 0) {
		snprintf(err, errlen, "the client assertion is too long");
		goto out;
	}
	if ((r = gnutls_privkey_init(&key)) < 0 ||
	    (r = gnutls_privkey_import_x509_raw(key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		snprintf(err, errlen, "private_key_file: not an unencrypted PEM private key (%s)",
		         gnutls_strerror(r));
		goto out;
	}
	if (gnutls_privkey_get_pk_algorithm(key, NULL) != GNUTLS_PK_RSA) {
		snprintf(err, errlen, "private_key_file: not an RSA key (%s needs one)",
		         pss ? "PS256" : "RS256");
		goto out;
	}
	tbs.data = (unsigned char *)jwt.data;
	tbs.size = (unsigned)jwt.len;
	/* PSS with an ordinary RSA key (rsaEncryption): GnuTLS's RSAE
	 * variant, salt length = hash length as RFC 7518 section 3.5 asks */
	r = pss ? gnutls_privkey_sign_data2(key, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, 0, &tbs, &sig)
	        : gnutls_privkey_sign_data(key, GNUTLS_DIG_SHA256, 0, &tbs, &sig);
	if (r < 0) {
		snprintf(err, errlen, "private_key_file: signing failed (%s)", gnutls_strerror(r));
		goto out;
	}
	if (strbuf_putc(&jwt, '.') < 0 || oauth_b64url(&jwt, sig.data, sig.size) < 0) {
		snprintf(err, errlen, "the client assertion is too long");
		goto out;
	}
	*out = strbuf_detach(&jwt, NULL);
	rc = 0;
out:
	gnutls_free(sig.data);
	if (key != NULL)
		gnutls_privkey_deinit(key);
	strbuf_free(&hdr);
	strbuf_free(&x5t);
	strbuf_free(&x5t256);
	strbuf_free(&jwt);
	return rc;
}

int oauth_random_id(char out[33])
{
	uint8_t b[16];

	if (gnutls_rnd(GNUTLS_RND_NONCE, b, sizeof(b)) < 0)
		return -1;
	digest_hex(b, sizeof(b), out);
	return 0;
}
