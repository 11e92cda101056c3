#!/bin/sh
# Migration 022 on PostgreSQL (issue 16, item 4: less work per report
# written): roll_presence kept by statement-level triggers instead of
# 014's row-level one, report's (organization, report_id) index and its
# foreign key to source gone. What must not change: roll_presence row for
# row as SQLite's after an ingest, and after agg_domain rows are updated
# and deleted (the triggers' other two branches: db check compares the
# roll-up with its sums over agg_domain); the figures as SQLite's; a store
# before 022 with the old trigger migrated keeps an exact roll-up; and db
# check now finds a report whose source is missing (what the foreign key
# refused before). And the report keys 'ingest' looks up ahead in one
# statement: a key this batch stored itself is not taken as new again.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin ic
"$GEN" --out "$T/files" --seed 22 --start 2026-02-20 --days 20 --domains 3 --duplicates 10 \
	--format gz > /dev/null
ls "$T"/files/* > "$T/all"
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest --from "$T/all" > /dev/null 2>> "$T/ingest.err"
done
t_eq "022: the store is at version 22 or newer" \
	"$(pg_sql "$PGA" "SELECT max(version) >= 22 FROM schema_version")" t
t_eq "022: presence kept by statement-level triggers only" \
	"$(pg_sql "$PGA" "SELECT string_agg(tgname || ':' || (tgtype & 1), ' ' ORDER BY tgname)
		FROM pg_trigger WHERE tgrelid = 'agg_domain'::regclass AND tgname LIKE '%presence%'")" \
	"agg_domain_presence_del:0 agg_domain_presence_ins:0 agg_domain_presence_upd:0"
t_eq "022: no reference from report to source, no report_org_id" \
	"$(pg_sql "$PGA" "SELECT count(*) FROM pg_constraint WHERE conrelid = 'report'::regclass
		AND contype = 'f'") $(pg_sql "$PGA" "SELECT to_regclass('report_org_id') IS NULL")" "0 t"

# roll_presence row for row as SQLite's (its 014 triggers are row-level)
presence_same() { # NAME
	pg_sql "$PGA" "SELECT * FROM roll_presence" | LC_ALL=C sort > "$T/pres.p"
	t_sql "$SQ" "SELECT * FROM roll_presence" | LC_ALL=C sort > "$T/pres.s"
	if [ -s "$T/pres.s" ] && cmp -s "$T/pres.s" "$T/pres.p"; then
		t_pass "$1"
	else
		t_fail "$1" "$(diff "$T/pres.s" "$T/pres.p" | head -3)"
	fi
}
presence_same "after ingest: roll_presence as SQLite's"
pg_same "after ingest: summary --all as SQLite's" summary --all --format json

# the UPDATE branch: a day emptied (reports 0), another day's row moved to
# a new day and a third day's reports changed (its bit stays); the DELETE
# branch: a day's rows deleted. The same statements on both stores.
edit="UPDATE agg_domain SET reports = 0 WHERE day = 20505 AND policy_domain = 'example.com';
UPDATE agg_domain SET day = 20540 WHERE day = 20506 AND policy_domain = 'example.net';
UPDATE agg_domain SET reports = reports + 1 WHERE day = 20507;
DELETE FROM agg_domain WHERE day = 20508 AND policy_domain = 'example.org';"
t_sql "$SQ" "$edit"
pg_sql "$PGA" "BEGIN; $edit COMMIT;" > /dev/null
t_check "the edits touched rows" test "$(pg_sql "$PGA" "SELECT count(*) FROM agg_domain
	WHERE day = 20540")" -gt 0
presence_same "after updates and deletes of agg_domain: roll_presence as SQLite's"
"$TLSWATCH" --db "$PGA" db check > "$T/check.out" 2>&1
t_eq "after the edits: db check finds roll_presence true (other roll-ups differ)" \
	"$(grep -c roll_presence "$T/check.out")" 0
t_check "db check saw the edits (it can fail)" grep -q "aggregates say" "$T/check.out"
# db recount writes agg_domain again from the reports (updates, inserts
# and deletes at once)
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" db recount > /dev/null 2>&1
done
presence_same "after db recount: roll_presence as SQLite's"
"$TLSWATCH" --db "$PGA" db check > /dev/null 2>&1
t_eq "recounted: db check exits 0" "$?" 0
pg_same "recounted: summary --all as SQLite's" summary --all --format json
pg_sql "$PGA" "UPDATE roll_presence SET days = days # 1 WHERE (first_day, policy_domain,
	organization) = (SELECT first_day, policy_domain, organization FROM roll_presence
	ORDER BY 1, 2, 3 LIMIT 1)" > /dev/null
"$TLSWATCH" --db "$PGA" db check > "$T/check2.out" 2>&1
t_check "a tampered roll_presence row: db check names it" grep -q roll_presence "$T/check2.out"
"$TLSWATCH" --db "$PGA" db check --repair > /dev/null 2>&1

# a store before 022 (at 21) with 014's row-level trigger: migrated, the same rows
PGM=$(pg_newdb mig)
"$TLSWATCH" --db "$PGM" ingest --from "$T/all" > /dev/null 2>&1
pg_sql "$PGM" "SET client_min_messages = warning;
	DROP TRIGGER agg_domain_presence_ins ON agg_domain;
	DROP TRIGGER agg_domain_presence_upd ON agg_domain;
	DROP TRIGGER agg_domain_presence_del ON agg_domain;
	DROP FUNCTION tlswatch_stmt_presence();
	CREATE FUNCTION tlswatch_roll_presence() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN RAISE EXCEPTION 'the old trigger ran'; END; \$\$;
	CREATE TRIGGER agg_domain_presence AFTER INSERT OR UPDATE OR DELETE ON agg_domain
		FOR EACH ROW EXECUTE FUNCTION tlswatch_roll_presence();
	UPDATE schema_version SET version = 21" > /dev/null
"$GEN" --out "$T/more" --seed 5 --start 2026-04-01 --days 2 --domains 1 --format gz > /dev/null
"$TLSWATCH" --db "$PGM" ingest "$T"/more/* > "$T/mig.out" 2>&1
t_eq "a store before 022 migrates and ingests (the old row trigger is gone)" "$?" 0
t_eq "migrated: at the newest version again" \
	"$(pg_sql "$PGM" "SELECT max(version) FROM schema_version")" \
	"$(pg_sql "$PGA" "SELECT max(version) FROM schema_version")"
"$TLSWATCH" --db "$PGM" db check > /dev/null 2>&1
t_eq "migrated: db check finds nothing" "$?" 0

# the keys of the inputs read ahead are looked up at once
# (pg_write_prefetch.c); each answer is used once, so a key stored by this
# same batch and sent on (a quarantined input sends the pending rows
# first) is found in the store, not taken as new again: one run with a
# report, a bad input, the report again and a new one
PGK=$(pg_newdb ahead)
"$GEN" --out "$T/ahead" --seed 9 --start 2026-05-01 --days 1 --domains 1 --format json > /dev/null
set -- "$T"/ahead/*
printf '{"not": "a report"}' > "$T/bad.json"
cp "$1" "$T/again.json"
"$TLSWATCH" -v --db "$PGK" ingest "$1" "$T/bad.json" "$T/again.json" "$2" > "$T/ahead.out" 2>&1
t_eq "read ahead: a bad input quarantined (exit 1)" "$?" 1
t_check "read ahead: the bad input quarantined" grep -q "bad.json: quarantined" "$T/ahead.out"
t_check "read ahead: the report again is a duplicate" grep -q "again.json: duplicate\$" \
	"$T/ahead.out"
t_eq "read ahead: two stored" "$(grep -c ': stored$' "$T/ahead.out")" 2
t_eq "read ahead: each report once" "$(pg_sql "$PGK" "SELECT count(*) FROM report")" 2

# db check: a report whose source is gone (the foreign key refused this)
sid=$(pg_sql "$PGA" "SELECT source_id FROM report WHERE source_id IS NOT NULL ORDER BY id LIMIT 1")
pg_sql "$PGA" "DELETE FROM source WHERE id = $sid"
"$TLSWATCH" --db "$PGA" db check > "$T/check3.out" 2>&1
t_eq "a report without its source: db check exits 1" "$?" 1
t_check "db check names it" grep -q "reports without their source: 1" "$T/check3.out"
t_check "no sanitizer report" sh -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
	'$T'/*.out '$T/ingest.err'"
pg_stop
