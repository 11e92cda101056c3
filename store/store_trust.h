/*
 * store_trust.h - what the store knows about trust (docs/trust.md): the
 * provenance grade of a report, conflicts between two reports under one
 * (organization, report-id), and conflicts still waiting in quarantine.
 *
 * Errors: 0 or -1 with a one-line reason in err.
 */
#ifndef TLSWATCH_STORE_TRUST_H
#define TLSWATCH_STORE_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The provenance names, strongest first. */
extern const char *const store_provenances[];

/* The grade of a provenance name: higher is stronger; 0 for unknown. */
int store_provenance_grade(const char *provenance);
/* The provenance an input is stored with: src->provenance, else from its
 * kind (https: https; mail and imap: unverified-mail; else file). */
const char *store_source_provenance(const struct source_info *src);

/* After store_add_report said STORE_SUPERSEDED: the report that left
 * (its old row id) and the quarantine record now holding its bytes. */
void store_last_conflict(const struct store *st, int64_t *old_report, int64_t *quarantine_id);

/* Marks quarantine record id as conflicting with report report_rowid.
 * Must be in a batch. */
int store_quarantine_set_conflict(struct store *st, int64_t id, int64_t report_rowid, char *err,
                                  size_t errlen);

/* Reports of days [since, until) by provenance: *verified (any but
 * unverified-mail) and *unverified, restricted to a policy domain ("" for
 * absent; NULL: any) and an organization (NULL: any). For alerts that
 * rest on unverified reports only (docs/trust.md). */
int store_reports_by_trust(struct store *st, int64_t since, int64_t until, const char *domain,
                           const char *organization, int64_t *verified, int64_t *unverified,
                           char *err, size_t errlen);
/* The same for n keys at once: (domains[i], organizations[i]) over days
 * [since[i], until[i]) (domains[i] not NULL), into verified[i] and
 * unverified[i]. The days from the first since to the last until are
 * read once, not once per key (issue 18), nor once per period: the
 * alerts of several judged days, each of its own window, are one read. */
int store_reports_by_trust_many(struct store *st, const int64_t *since, const int64_t *until,
                                const char *const *domains, const char *const *organizations,
                                size_t n, int64_t *verified, int64_t *unverified, char *err,
                                size_t errlen);

/* Conflicts still held in quarantine (not released). */
int store_conflicts_held(struct store *st, int64_t *n, char *err, size_t errlen);
/* The same, per organization of the stored report each conflicts with
 * (organization "" when that report has left since): fn is called once
 * per organization, in name order; non-zero from fn stops. */
int store_conflicts_by_organization(struct store *st,
                                    int (*fn)(const char *organization, int64_t n, void *arg),
                                    void *arg, char *err, size_t errlen);

#endif
