"""Where generated files live (STORAGES["default"]): local files under MEDIA_ROOT, or one
private S3-compatible bucket that every web and worker machine shares (OBJECT_STORAGE=s3).

Plain data, no Django import: settings build the backend from the environment with it, and
the storage tests build the same backend for a bucket of their own.
"""

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
OBJECT_STORAGE_CHOICES = ("local", "s3")


def s3_storage(
    *,
    bucket_name: str,
    endpoint_url: str = "",
    region_name: str = "",
    access_key: str = "",
    secret_key: str = "",
    addressing_style: str = "",
) -> dict:
    """The STORAGES entry for a private bucket. Empty arguments fall back to boto3's own
    defaults: AWS itself, and credentials from its chain (an instance role, AWS_* in the
    environment, ~/.aws)."""
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            # "path" for servers that are not addressed as <bucket>.<host> (most on-premises
            # ones); unset, botocore chooses.
            "addressing_style": addressing_style or None,
            # No ACL is sent, so every object is as private as the bucket (owner only).
            "default_acl": None,
            # The site never hands out a bucket URL: downloads stream through Django after
            # the access check. Should anything call storage.url(), it gets a signed link
            # that dies in five minutes, never a public one.
            "querystring_auth": True,
            "querystring_expire": 300,
            # As on local files, a name already taken gets a suffix rather than replacing
            # the file: a transcript rendered again is saved under its serial while the
            # previous file is deleted on commit, which would otherwise delete the new one.
            "file_overwrite": False,
            # An object being served is buffered in a temporary file: in memory up to
            # 10 MB, on disk beyond (a large export).
            "max_memory_size": 10 * 1024 * 1024,
        },
    }
