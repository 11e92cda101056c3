/*
 * provenance.c - provenance grades (docs/trust.md): pure functions of the
 * contract (store_trust.h), whatever backend stores the reports.
 */
#include <stdio.h>
#include <string.h>

#include "store_backend.h"
#include "store_trust.h"

const char *const store_provenances[] = {"dkim-verified", "file", "https", "unverified-mail", NULL};

int store_provenance_grade(const char *provenance)
{
	int i;

	if (provenance == NULL)
		return 0;
	for (i = 0; store_provenances[i] != NULL; i++)
		if (strcmp(store_provenances[i], provenance) == 0)
			return 4 - i;
	return 0;
}

const char *store_source_provenance(const struct source_info *src)
{
	if (src->provenance != NULL)
		return src->provenance;
	if (src->kind == NULL)
		return "file";
	if (strcmp(src->kind, "https") == 0)
		return "https";
	if (strcmp(src->kind, "mail") == 0 || strcmp(src->kind, "imap") == 0)
		return "unverified-mail";
	return "file";
}

int store_trust_supersedes(const char *new_prov, const char *old_prov, int pick, char *reason,
                           size_t reasonlen)
{
	if (!pick && store_provenance_grade(new_prov) <= store_provenance_grade(old_prov))
		return 0; /* on a tie the first stays */
	if (pick)
		snprintf(reason, reasonlen,
		         "superseded: the postmaster picked the other copy (same organization and "
		         "report-id, different content)");
	else
		snprintf(reason, reasonlen,
		         "superseded by a report with stronger provenance (%s over %s; same "
		         "organization and report-id, different content)",
		         new_prov, old_prov != NULL ? old_prov : "file");
	return 1;
}
