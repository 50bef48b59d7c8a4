#!/bin/sh
# Runs in compose's one-shot `storage-init` service (the MinIO client image) before the site
# starts: creates the site's bucket and its own access key, allowed that bucket only, so the
# site never holds MinIO's root credentials. Safe to run on every `up`.
set -eu

secrets="${SECRETS_DIR:-/run/secrets}"
bucket="${AWS_STORAGE_BUCKET_NAME:?}"
access_key="$(cat "$secrets/s3_access_key_id")"
policy=/tmp/cryptocops-bucket-policy.json

mc alias set store "${MINIO_URL:-http://minio:9000}" \
	"$(cat "$secrets/minio_root_user")" "$(cat "$secrets/minio_root_password")" >/dev/null
mc mb --ignore-existing "store/$bucket"
cat >"$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::$bucket"]},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
     "Resource": ["arn:aws:s3:::$bucket/*"]}
  ]
}
JSON
mc admin policy create store cryptocops-site "$policy"
mc admin user add store "$access_key" "$(cat "$secrets/s3_secret_access_key")"
# Attaching a policy the user already has is refused: that is the state we want.
mc admin policy attach store cryptocops-site --user "$access_key" 2>/dev/null ||
	mc admin user info store "$access_key" | grep -q cryptocops-site
