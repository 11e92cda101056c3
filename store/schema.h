/*
 * schema.h - the SQL migrations from schema/NNN_*.sql, embedded at build
 * time (tools/embed_schema.sh). Migration N brings PRAGMA user_version to N.
 */
#ifndef TLSWATCH_SCHEMA_H
#define TLSWATCH_SCHEMA_H

struct schema_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct schema_migration schema_migrations[];
extern const int schema_n_migrations;
/* The PostgreSQL store's (schema/pg/NNN_*.sql; the same numbers). */
extern const struct schema_migration pg_schema_migrations[];
extern const int pg_schema_n_migrations;

#endif
