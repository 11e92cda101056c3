#!/bin/sh
# tools/demo.sh - 'make demo': load the bundled real-world samples and a
# generated month of reports (with an injected failure spike) into demo.db,
# then show what tlswatch makes of them. The spike lies on the last
# complete UTC day (yesterday), the day 'tlswatch alert' and the
# dashboard's current alerts judge. The dashboard listens on DEMO_PORT, or
# the first free port from 8080.
set -eu
cd "$(dirname "$0")/.."
DB=demo.db
WORK=build/demo
rm -f "$DB" "$DB-wal" "$DB-shm"
rm -rf "$WORK"
mkdir -p "$WORK"
# The samples are real report mails, anonymised after they were signed (their
# DKIM signatures no longer verify), and the generated mails are unsigned: the
# default [trust] dkim = require would quarantine them all (docs/trust.md).
# The demo records the DKIM result instead and stores them as unverified-mail.
printf '[trust]\ndkim = record\ndns_timeout = 2\n' > "$WORK/demo.conf"
tw() { ./tlswatch --config "$WORK/demo.conf" --db "$DB" "$@"; }
has() { ./tlswatch "$1" --help > /dev/null 2>&1; }

echo "== Real-world sample reports (tests/data/samples, tests/data/mail)"
echo "   (with [trust] dkim = record: the sample mails' signatures cannot verify after"
echo "   anonymisation, so they are stored as unverified-mail rather than quarantined;"
echo "   see docs/trust.md)"
# one sample is a deliberately broken fixture: it lands in quarantine (exit 1)
tw -v ingest tests/data/samples/*.json \
	$(find tests/data/mail -type f ! -name README.md | sort) | tail -1 || true

if [ -x build/tools/gen ]; then
	today=$(date -u +%Y-%m-%d)
	start=$(date -u -d "$today - 35 days" +%Y-%m-%d)
	spike=$(date -u -d "$today - 1 day" +%Y-%m-%d)
	echo
	echo "== A generated month: 35 days from $start, 3 domains, a certificate-expired spike on $spike"
	build/tools/gen --out "$WORK/gen" --seed 42 --start "$start" --days 35 --domains 3 \
		--spike "example.com,mx1.example.com,certificate-expired,$spike,400"
	tw -v ingest "$WORK"/gen/* | tail -1
fi

echo
echo "== Quarantine (refused inputs, kept byte-exact)"
tw quarantine list

if has summary; then
	echo
	echo "== tlswatch summary (the last 7 complete UTC days)"
	tw summary
fi
if has alert; then
	echo
	echo "== tlswatch alert"
	tw alert || true
fi
if has web; then
	echo
	port=${DEMO_PORT:-}
	if [ -z "$port" ]; then
		port=8080
		if command -v ss > /dev/null 2>&1; then
			while [ "$port" -lt 8180 ] && [ -n "$(ss -Hltn "sport = :$port")" ]; do
				port=$((port + 1))
			done
		fi
	fi
	echo "== Dashboard: http://127.0.0.1:$port/"
	echo "   stop it with Ctrl-C (or: kill $$); another port: make demo DEMO_PORT=N"
	exec ./tlswatch --db "$DB" web --listen "127.0.0.1:$port"
fi
