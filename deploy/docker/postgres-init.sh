#!/bin/sh
# Runs once, when the postgres container starts on an empty data volume (the official image
# runs /docker-entrypoint-initdb.d/*.sh as the superuser): creates the two roles of
# deploy/README.md, "Database roles". The owner owns the database and runs migrations (compose's
# `migrate` service); the runtime role is what web, worker and beat connect as, and
# `manage.py audit_db_roles` (run by `migrate`) grants it DML but only INSERT and SELECT on the
# audit table. Passwords come from the secret files make-secrets.sh wrote.
set -eu

db="${APP_DB_NAME:-cryptocops}"
owner="${APP_DB_OWNER:-cryptocops}"
runtime="${APP_DB_RUNTIME_ROLE:-cryptocops_app}"
secrets="${SECRETS_DIR:-/run/secrets}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
	-v db="$db" -v owner="$owner" -v runtime="$runtime" \
	-v owner_password="$(cat "$secrets/postgres_owner_password")" \
	-v runtime_password="$(cat "$secrets/postgres_app_password")" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"runtime" LOGIN PASSWORD :'runtime_password';
CREATE DATABASE :"db" OWNER :"owner";
\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
SQL
