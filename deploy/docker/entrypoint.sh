#!/bin/sh
# The container image's entry point (Dockerfile ENTRYPOINT): loads the secrets compose mounts,
# then runs one role of the site.
#
#   web        gunicorn with deploy/gunicorn.conf.py (PORT, WEB_CONCURRENCY, ...)
#   worker     a Celery worker (CELERY_CONCURRENCY, default 2), named worker@<container>
#   beat       Celery beat; its schedule under VAR_DIR/beat (keep exactly one running)
#   release    migrate, grant the runtime database role, sync the content: once per release,
#              as the database owner (compose's one-shot `migrate` service)
#   manage     python manage.py with the remaining arguments
#   healthcheck web|worker|beat    deploy/docker/healthcheck.py, with the same secrets
#   anything else is run as given
#
# Secrets: every file in SECRETS_DIR (default /run/secrets) whose name is an environment
# variable's (DATABASE_URL, SECRET_KEY, ...) becomes that variable, unless the environment
# already sets it. config/settings.py reads only the environment, and compose mounts secrets
# as files, so their values never appear in the compose file or `docker inspect`.
set -eu

secrets_dir="${SECRETS_DIR:-/run/secrets}"
if [ -d "$secrets_dir" ]; then
	for file in "$secrets_dir"/*; do
		[ -f "$file" ] || continue
		name="${file##*/}"
		case "$name" in
		'' | [0-9]* | *[!A-Z0-9_]*) continue ;; # key files (cert_signing_key.pem) stay files
		esac
		if [ -z "$(printenv "$name" || true)" ]; then
			value="$(cat "$file")"
			export "$name=$value"
		fi
	done
fi

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
web)
	exec gunicorn config.wsgi:application -c deploy/gunicorn.conf.py "$@"
	;;
worker)
	# %h: the container's host name, which the health check pings.
	exec celery -A config worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" \
		--prefetch-multiplier=1 --hostname='worker@%h' "$@"
	;;
beat)
	exec celery -A config beat --loglevel=INFO \
		--schedule="${VAR_DIR:-/var/lib/cryptocops}/beat/celerybeat-schedule" "$@"
	;;
release)
	python manage.py migrate --noinput
	python manage.py audit_db_roles --runtime-role "${DB_RUNTIME_ROLE:-cryptocops_app}"
	exec python manage.py sync_content
	;;
manage)
	exec python manage.py "$@"
	;;
healthcheck)
	exec python deploy/docker/healthcheck.py "$@"
	;;
*)
	exec "$role" "$@"
	;;
esac
