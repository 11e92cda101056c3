/*
 * tlsverify.c - certificate chain and host name verification with GnuTLS
 * (the only file that includes it). Input: a chain sent by a server we
 * have not yet trusted; the CA file is the operator's.
 */
#include "tlsverify.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "limits.h"

int tlsverify_chain(const struct tlsverify_cert *certs, size_t n, const char *host,
                    const char *ca_file, char *err, size_t errlen)
{
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t crts[LIMIT_TLS_CHAIN];
	gnutls_typed_vdata_st vdata[2];
	gnutls_datum_t d, msg = {NULL, 0};
	unsigned int status = 0;
	size_t i, n_crts = 0;
	int r, rc = -1;

	if (n == 0) {
		snprintf(err, errlen, "server %s sent no certificate", host);
		return -1;
	}
	if (n > LIMIT_TLS_CHAIN) {
		snprintf(err, errlen, "server %s sent %zu certificates (more than %d)", host, n,
		         LIMIT_TLS_CHAIN);
		return -1;
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0) {
		snprintf(err, errlen, "cannot set up certificate verification");
		return -1;
	}
	if (ca_file != NULL && ca_file[0] != '\0') {
		r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0,
		                                          0);
		if (r <= 0) {
			snprintf(err, errlen, "ca_file %s: %s", ca_file,
			         r < 0 ? gnutls_strerror(r) : "no certificate in it");
			goto out;
		}
	} else {
		r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
		if (r <= 0) {
			snprintf(err, errlen, "no system trust store (%s); set ca_file",
			         r < 0 ? gnutls_strerror(r) : "it is empty");
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (gnutls_x509_crt_init(&crts[n_crts]) < 0) {
			snprintf(err, errlen, "cannot set up certificate verification");
			goto out;
		}
		n_crts++;
		d.data = (unsigned char *)certs[i].der;
		d.size = (unsigned int)certs[i].len;
		r = gnutls_x509_crt_import(crts[i], &d, GNUTLS_X509_FMT_DER);
		if (r < 0) {
			snprintf(err, errlen, "server %s sent a bad certificate (%zu in chain): %s",
			         host, i + 1, gnutls_strerror(r));
			goto out;
		}
	}
	memset(vdata, 0, sizeof(vdata));
	vdata[0].type = GNUTLS_DT_DNS_HOSTNAME;
	vdata[0].data = (unsigned char *)host;
	vdata[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	vdata[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, (unsigned int)n_crts, vdata, 2, 0, &status,
	                                       NULL);
	if (r < 0) {
		snprintf(err, errlen, "cannot verify the certificate of %s: %s", host,
		         gnutls_strerror(r));
		goto out;
	}
	if (status != 0) {
		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &msg, 0) <
		    0)
			msg.data = NULL;
		/* GnuTLS ends each sentence with ". ": drop the last blank */
		while (msg.data != NULL && msg.size > 0 && msg.data[msg.size - 1] == ' ')
			msg.data[--msg.size] = '\0';
		snprintf(err, errlen, "certificate not trusted for %s: %s", host,
		         msg.data != NULL ? esc((const char *)msg.data) : "verification failed");
		goto out;
	}
	rc = 0;
out:
	gnutls_free(msg.data);
	for (i = 0; i < n_crts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	return rc;
}
