#!/bin/sh
# Creates every secret file deploy/compose.yaml mounts, in deploy/secrets/ (or the directory
# given), with random values that agree with each other (the database and Redis passwords
# inside the URLs the site gets). A file that exists is left alone, so running it again only
# fills gaps; to rotate one value, delete its file(s) and run again.
#
#   deploy/docker/make-secrets.sh [DIR]
#
# Two kinds of files are placeholders to replace before going live:
#   cert_signing_key.pem, cert_signing_cert.pem   a self-signed EC P-256 PDF signing key: put
#       the programme's real key and certificate here (README, "Certificates and credentials")
#   tls_fullchain.pem, tls_privkey.pem   a self-signed TLS certificate for nginx's first start;
#       or point TLS_CERTIFICATE / TLS_CERTIFICATE_KEY in deploy/.env at real ones
# and email_host_password is empty: write the SMTP password into it.
#
# Run as root, it makes each file readable by the one container user that reads it (10001
# for the site, 999 for PostgreSQL and Redis); otherwise it says which owners to set.
set -eu

dir="${1:-$(dirname "$0")/../secrets}"
umask 077
mkdir -p "$dir"
cd "$dir"

APP_UID=10001
DATA_UID=999 # the postgres and redis users of the official images
created=""

random() { openssl rand -hex "${1:-32}"; }

# new FILE OWNER: true (and remembered) when FILE does not exist yet
new() {
	if [ -e "$1" ]; then
		return 1
	fi
	created="$created $1:$2"
	return 0
}

write() { printf '%s' "$2" >"$1"; }

# Django and the audit chain (checkpoint key: the worker only).
for name in secret_key audit_hmac_key audit_checkpoint_key mfa_encryption_key ob_identity_salt_key; do
	if new "$name" "$APP_UID"; then write "$name" "$(random 48)"; fi
done

# PostgreSQL: the superuser (the image's own), the owner (migrations) and the runtime role.
for name in postgres_superuser_password postgres_owner_password postgres_app_password; do
	if new "$name" "$DATA_UID"; then write "$name" "$(random 24)"; fi
done
if new owner_database_url "$APP_UID"; then
	write owner_database_url "postgres://cryptocops:$(cat postgres_owner_password)@postgres:5432/cryptocops"
fi
if new database_url "$APP_UID"; then
	write database_url "postgres://cryptocops_app:$(cat postgres_app_password)@postgres:5432/cryptocops"
fi

# Redis: the server's password (a config file it includes) and the URL the site uses.
if new redis_password "$DATA_UID"; then write redis_password "$(random 24)"; fi
if new redis.conf "$DATA_UID"; then
	printf 'requirepass %s\n' "$(cat redis_password)" >redis.conf
fi
if new redis_url "$APP_UID"; then
	write redis_url "redis://:$(cat redis_password)@redis:6379/0"
fi

# The object store: MinIO's root (read by root in the MinIO containers), and the site's own
# access key, limited to its bucket (deploy/docker/minio-init.sh).
for name in minio_root_user minio_root_password; do
	if new "$name" 0; then write "$name" "$(random 20)"; fi
done
for name in s3_access_key_id s3_secret_access_key; do
	if new "$name" "$APP_UID"; then write "$name" "$(random 20)"; fi
done

if new email_host_password "$APP_UID"; then write email_host_password ""; fi

# Open Badges signing key: Ed25519, fit for production as it is.
if new ob_signing_key.pem "$APP_UID"; then
	openssl genpkey -algorithm ed25519 -out ob_signing_key.pem
fi

# PDF signing key and certificate: a placeholder, self-signed for one year.
if [ ! -e cert_signing_key.pem ] || [ ! -e cert_signing_cert.pem ]; then
	created="$created cert_signing_key.pem:$APP_UID cert_signing_cert.pem:$APP_UID"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
		-subj "/O=Crypto Cops/CN=Placeholder PDF signing certificate - replace" \
		-keyout cert_signing_key.pem -out cert_signing_cert.pem 2>/dev/null
fi

# nginx's TLS certificate: a placeholder, self-signed, until the real one is in place.
if [ ! -e tls_fullchain.pem ] || [ ! -e tls_privkey.pem ]; then
	created="$created tls_fullchain.pem:0 tls_privkey.pem:0"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=localhost" -keyout tls_privkey.pem -out tls_fullchain.pem 2>/dev/null
fi

for entry in $created; do
	file="${entry%%:*}"
	owner="${entry##*:}"
	chmod 0400 "$file"
	if [ "$(id -u)" = "0" ]; then
		chown "$owner:$owner" "$file"
	elif [ "$owner" != "0" ] && [ "$owner" != "$(id -u)" ]; then
		echo "make-secrets: as root, run: chown $owner:$owner $dir/$file" >&2
	fi
	echo "created $file"
done
