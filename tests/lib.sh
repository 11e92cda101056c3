# tests/lib.sh - sourced by every shell test (tests/*/NAME.sh).
#
# run.sh sets: TOP (repo root), TLSWATCH (the ASan+UBSan binary), GEN (the
# report generator), DATA (tests/data), RESULTS (file to append results to).
# Each test script gets its own scratch directory in $T, removed afterwards
# (under TESTS_TMPDIR: run.sh picks /dev/shm when it has room, else /tmp).
# Record each check with t_pass NAME or t_fail NAME "got X, want Y"; t_check
# and t_eq are shorthands.

set -u
: "${TOP:?run through tests/run.sh}"
T=$(mktemp -d "${TESTS_TMPDIR:-/tmp}/tlswatch-test.XXXXXX")
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
TEST_SCRIPT=$(basename "$0" .sh)

t_pass() { echo "pass $TEST_SCRIPT: $1" >> "$RESULTS"; }
t_fail() {
	echo "FAIL $TEST_SCRIPT: $1${2:+: $2}" >> "$RESULTS"
	echo "FAIL $TEST_SCRIPT: $1${2:+: $2}" >&2
}
# t_eq NAME GOT WANT
t_eq() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "got '$2', want '$3'"; fi
}
# t_check NAME COMMAND...: passes when the command succeeds
t_check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then t_pass "$name"; else t_fail "$name" "command failed: $*"; fi
}
# t_sql DB SQL: one value from the database (a real SQLite file)
# t_same NAME A B: files A and B byte for byte; a failure shows where they differ
t_same() {
	if cmp -s "$2" "$3"; then
		t_pass "$1"
	else
		t_fail "$1" "$2 and $3 differ: $(diff "$2" "$3" | head -8 | tr '\n' ' ')"
	fi
}
t_sql() { sqlite3 -batch -noheader "$1" "$2"; }

# t_lock_db DB: another writer takes DB's write lock and keeps it until
# t_unlock_db. Returns once the lock is really held (a probe with no busy
# timeout is refused), not after a guessed sleep. The holder waits for the
# lock itself (.timeout) so a probe that happens to hold it for a moment
# cannot make its BEGIN fail and leave the database unlocked.
t_lock_db() {
	rm -f "$T/.lockfifo"
	mkfifo "$T/.lockfifo"
	sqlite3 -cmd ".timeout 30000" "$1" < "$T/.lockfifo" > /dev/null 2>&1 &
	T_LOCK_PID=$!
	exec 9> "$T/.lockfifo"
	echo "BEGIN IMMEDIATE;" >&9
	i=0
	while sqlite3 -cmd ".timeout 0" "$1" "BEGIN IMMEDIATE; ROLLBACK;" > /dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 600 ]; then
			t_fail "database write lock taken by the holder" "$1"
			return 1
		fi
		sleep 0.1
	done
}
t_unlock_db() {
	# .quit, not EOF: a child that inherited fd 9 must not keep it waiting
	printf "ROLLBACK;\n.quit\n" >&9
	exec 9>&-
	wait "$T_LOCK_PID"
}
# t_dkim_off: for tests that are not about trust (trust_dkim.sh is). The
# sample and generated report mail carries signatures no offline test can
# verify (or none), so the default [trust] dkim = require would quarantine
# it; such tests run with DKIM checking off (TLSWATCH_CONFIG), unless a
# command names its own --config.
t_dkim_off() {
	printf '[trust]\ndkim = off\n' > "$T/dkim-off.conf"
	TLSWATCH_CONFIG=$T/dkim-off.conf
	export TLSWATCH_CONFIG
}

# t_figures DB: every figure a view reads, one line per row, keyed (no
# row ids), of a SQLite file or a PostgreSQL URI (tests/golden/recount.sh,
# tests/integration/pg_readback.sh)
t_figures() {
	q="select 'report', organization, report_id, successful_sessions, failed_sessions
		from report order by organization, report_id;
	select 'agg_domain', day, policy_domain, organization, reports, successful_sessions,
		failed_sessions from agg_domain order by 2, 3, 4;
	select 'agg_failure', day, policy_domain, organization, mx_host, result_type,
		failed_sessions from agg_failure order by 2, 3, 4, 5, 6;
	select 'agg_mx', day, policy_domain, organization, mx_host, failed_sessions
		from agg_mx order by 2, 3, 4, 5;
	select 'agg_policy_type', day, policy_domain, organization, policy_type, policies,
		successful_sessions, failed_sessions from agg_policy_type order by 2, 3, 4, 5"
	case "$1" in
	postgresql:*) psql -X -q -At -F '|' "$1" -c "$q" ;;
	*) t_sql "$1" "$q" ;;
	esac
}

# t_dump_store DB: what a store holds (report, quirks, policies, failure
# details, count-once totals and aggregates, quarantine), one line per row,
# for golden files (tests/golden/samples.sh, tests/golden/postfix.sh)
t_dump_store() {
	db=$1
	t_sql "$db" "select 'report', organization, report_id, coalesce(contact_info,'-'),
		start_time, end_time, day, successful_sessions, failed_sessions from report;
	select 'policy', idx, policy_type, coalesce(policy_domain,'-'),
		coalesce(policy_strings,'-'), coalesce(mx_hosts,'-'),
		successful_sessions, failed_sessions from policy order by idx;
	select 'quirks', quirks from report where quirks is not null;
	select 'inferred', idx, policy_domain, policy_domain_source from policy
		where policy_domain_source is not null order by idx;
	select 'failure', p.idx, f.result_type, coalesce(f.sending_mta_ip,'-'),
		coalesce(f.receiving_mx_hostname,'-'), coalesce(f.receiving_ip,'-'),
		coalesce(f.failure_reason_code,'-'), coalesce(f.additional_information,'-'),
		f.failed_sessions from failure f join policy p on p.id = f.policy order by f.id;
	select 'agg_domain', day, policy_domain, organization, reports, successful_sessions,
		failed_sessions from agg_domain order by policy_domain;
	select 'agg_failure', policy_domain, mx_host, result_type, failed_sessions
		from agg_failure order by policy_domain, mx_host, result_type;
	select 'quarantine', kind, reason, size from quarantine;"
}
