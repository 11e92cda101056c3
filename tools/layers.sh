#!/bin/sh
# tools/layers.sh - part of 'make lint': every #include "x.h" of a file in
# one layer names a header of its own layer or of a layer below it
# (docs/design.md). The layers, bottom up:
#   lib -> core -> store -> collector, analyzer -> web -> cli
# collector and analyzer stand side by side and include neither each other.
# core/limits.h holds every limit and includes nothing: lib reads it too.
# Then: each outside library is included by its one door only.
set -u
cd "$(dirname "$0")/.."
rank() {
	case "$1" in
	lib) echo 0 ;; core) echo 1 ;; store) echo 2 ;;
	collector | analyzer) echo 3 ;; web) echo 4 ;; cli) echo 5 ;;
	*) echo 9 ;;
	esac
}
status=0
for dir in lib core store collector analyzer web cli; do
	r=$(rank "$dir")
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -f "$f" ] || continue
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			owner=""
			for d in lib core store collector analyzer web cli build/gen; do
				if [ -f "$d/$h" ]; then owner=$d; break; fi
			done
			case "$owner" in
			"") echo "$f: includes $h, which no layer holds"; status=1; continue ;;
			build/gen) continue ;;
			esac
			[ "$dir" = lib ] && [ "$owner/$h" = core/limits.h ] && continue
			hr=$(rank "$owner")
			if [ "$hr" -gt "$r" ] || { [ "$hr" -eq "$r" ] && [ "$owner" != "$dir" ]; }; then
				echo "$f: includes $owner/$h, a layer above or beside $dir/"
				status=1
			fi
		done
	done
done

# The store's inside (the backend table, SQLite's shared headers) stays
# inside store/: above it, only the contract (store.h, query.h, ...).
for f in $(grep -l '#include "\(store_backend\|sqlite_impl\|sqlite_query_impl\|pg_impl\|query_sql\)\.h"' \
	lib/*.[ch] core/*.[ch] collector/*.[ch] analyzer/*.[ch] web/*.[ch] cli/*.[ch] 2> /dev/null); do
	echo "$f: includes a header internal to store/ (store_backend.h, sqlite_*impl.h, pg_impl.h, query_sql.h)"
	status=1
done

# Each outside library sits behind one door: only these files include it.
door() {
	lib=$1
	shift
	for f in $(grep -l "#include <$lib" lib/*.[ch] core/*.[ch] store/*.[ch] collector/*.[ch] \
		analyzer/*.[ch] web/*.[ch] cli/*.[ch] 2> /dev/null); do
		ok=0
		for allowed in "$@"; do
			case "$f" in $allowed) ok=1 ;; esac
		done
		if [ "$ok" = 0 ]; then
			echo "$f: includes <$lib...>, whose door is $*"
			status=1
		fi
	done
}
door sqlite3.h 'store/sqlite*'
door libpq-fe.h 'store/pg*'
door libetpan/ 'core/mail*' collector/imap.c 'collector/imap_stream*'
door microhttpd.h web/server.c
# collector/oauth_http.c parses token endpoint answers and Google key files:
# JSON from a peer, so cJSON's checked parser rather than a second one.
door cJSON.h core/report.c collector/oauth_http.c collector/graph_json.c
door zlib.h lib/gz.c
door ini.h core/config.c
door gnutls/ lib/tlsverify.c analyzer/check_smtp.c collector/oauth_jwt.c
door curl/ analyzer/notify.c analyzer/check_https.c collector/oauth_http.c collector/graph_http.c
door unbound.h lib/dns.c
door nettle/ lib/digest.c
door opendkim/ collector/dkimcheck.c
door libpsl.h lib/pubsuffix.c
exit "$status"
