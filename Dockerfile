# The site's container image: one image for the web process, the Celery worker and beat, and
# the one-shot release step (migrations), chosen by the command (deploy/docker/entrypoint.sh).
# deploy/compose.yaml runs it on a single host; deploy/README.md, "Containers".
#
#   docker build -t cryptocops:local .
#
# Not built on the project's own machines (no Docker daemon there): tests/deploy/ checks this
# file's essentials by parsing it, and the systemd path (deploy/systemd) stays the tested one.
#
# The base is the official Python image on Debian 13, pinned by version and by the digest of
# its multi-platform index as recorded by Docker's docker-library/repo-info
# (repos/python/remote/3.13.14-slim-trixie.md, commit 2986dca3a80cb11b70fc4599941096374ea9e509).
# To update: take the new tag's digest from that repository (or `docker buildx imagetools
# inspect python:<tag>`) and change both FROM lines.

# --- base: the system libraries every stage needs ----------------------------------------
FROM python:3.13.14-slim-trixie@sha256:9662417aace5ae7b8e2609cce472b72a8958e134ba372808abe9cc1a0c0125e6 AS base

# WeasyPrint's libraries and the fonts of certificates in Latin, Korean/CJK and Thai scripts:
# the same list as SITE_PACKAGES in scripts/ensure-services.sh (a test keeps them equal).
# fontconfig (fc-cache, only recommended by the libraries) builds the font cache here, so a
# read-only container never needs to write one.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        fonts-noto-cjk fonts-nanum fonts-thai-tlwg fontconfig \
    && fc-cache -f \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# --- build: the locked dependencies, translations and static files ------------------------
FROM base AS build

# pip installs uv pinned with hashes (requirements/bootstrap.txt), and uv installs the locked
# requirements, every hash checked, as the Makefile does. Wheels only: nothing is compiled,
# so the image needs no compiler (`--no-build` fails if a wheel were missing).
COPY requirements/bootstrap.txt requirements/base.txt /tmp/requirements/
RUN python -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --require-hashes -r /tmp/requirements/bootstrap.txt \
    && python -m venv /opt/venv \
    && /opt/uv/bin/uv pip install --no-cache --python /opt/venv/bin/python --require-hashes \
        --no-build --compile-bytecode -r /tmp/requirements/base.txt

WORKDIR /app
COPY . /app

# Throwaway production-like settings, for the build only: DEBUG off gives the hashed,
# compressed static files WhiteNoise serves in production (the manifest storage). No secret,
# database or broker is needed by these two commands, so none is given.
RUN python manage.py compile_translations \
    && DEBUG=false STATIC_ROOT=/app/static VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput \
    && python -m compileall -q /app \
    && rm -rf /tmp/build-var

# --- runtime: the image that runs ------------------------------------------------------------
FROM base AS runtime

# A fixed, unprivileged uid: secrets mounted from the host must be readable by it
# (deploy/docker/make-secrets.sh sets their owner).
RUN groupadd --system --gid 10001 cryptocops \
    && useradd --system --uid 10001 --gid cryptocops --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin cryptocops \
    && install -d -o cryptocops -g cryptocops -m 0750 /var/lib/cryptocops /var/lib/cryptocops/beat

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

# VAR_DIR holds beat's schedule (a volume in compose). What else is written goes under /tmp,
# the one writable place of a read-only container: the fontconfig cache WeasyPrint may add
# to, and gunicorn's control socket (XDG_RUNTIME_DIR; else it tries $HOME/.gunicorn in /app).
ENV VAR_DIR=/var/lib/cryptocops \
    STATIC_ROOT=/app/static \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/cache \
    XDG_RUNTIME_DIR=/tmp \
    PORT=8000

WORKDIR /app
USER 10001:10001
EXPOSE 8000

ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["web"]
