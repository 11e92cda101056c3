#!/bin/sh
# tests/integration/trust_pick.sh - issue 11: after 'quarantine pick', the
# day's aggregates are made again from what each remaining report was
# stored as, not from its raw bytes alone: a report completed from its
# mail (an empty organization-name named by TLS-Report-Submitter) and cut
# to the [trust] domains must keep exactly the figures it was stored with.
# Every figure after the pick equals a store that only ever ingested the
# picked copy (and the other reports).
. "$TOP/tests/lib.sh"

D=$DATA/trust
CFG=$T/dom.conf
printf '[trust]\ndkim = off\ndomains = example.com\n' > "$CFG"
tw() { "$TLSWATCH" --config "$CFG" "$@"; }
figures() {
	for t in agg_domain agg_failure agg_policy_type agg_mx; do
		t_sql "$1" "select '$t', * from $t order by 1, 2, 3, 4, 5"
	done
	t_sql "$1" "select r.organization, r.report_id, r.successful_sessions, r.failed_sessions,
		(select count(*) from policy p where p.report = r.id),
		(select count(*) from failure f join policy p on p.id = f.policy where p.report = r.id)
		from report r order by 1, 2"
	tw --db "$1" summary --all --format json | jq -S "del(.quarantined, .conflicts)"
}

# the store that only ever saw the completed report and the picked copy
tw --db "$T/winner.db" ingest "$D/context-empty-org.eml" "$D/reporter-second.json"
t_eq "winner: both stored" "$?" 0
figures "$T/winner.db" > "$T/winner.fig"
t_eq "winner: the completed report counts under the submitter, for example.com only" \
	"$(t_sql "$T/winner.db" "select organization || ' ' || policy_domain || ' ' || successful_sessions || ' ' || failed_sessions from agg_domain order by 1")" \
	"reporter.example example.com 100 43"

DB=$T/a.db
tw --db "$DB" ingest "$D/context-empty-org.eml" "$D/reporter-first.json"
t_eq "first two stored" "$?" 0
tw --db "$DB" ingest "$D/reporter-second.json" > /dev/null 2>&1
t_eq "the second copy conflicts (exit 1)" "$?" 1
q=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null")
tw --db "$DB" quarantine pick "$q"
t_eq "pick: exit 0" "$?" 0
figures "$DB" > "$T/a.fig"
t_check "after pick: every figure equals the store that saw only the picked copy" \
	cmp "$T/a.fig" "$T/winner.fig"
t_eq "after pick: nothing counted under an empty organization" \
	"$(t_sql "$DB" "select count(*) from agg_domain where organization = ''")" 0
t_eq "after pick: nothing of the domain [trust] leaves out" \
	"$(t_sql "$DB" "select count(*) from agg_failure where policy_domain = 'elsewhere.example'")" 0

# and back: the first copy picked again, figures of a store that saw it only
tw --db "$T/first.db" ingest "$D/context-empty-org.eml" "$D/reporter-first.json"
figures "$T/first.db" > "$T/first.fig"
q=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null")
tw --db "$DB" quarantine pick "$q"
t_eq "pick back: exit 0" "$?" 0
figures "$DB" > "$T/b.fig"
t_check "pick back: every figure equals the store that saw only the first copy" \
	cmp "$T/b.fig" "$T/first.fig"
