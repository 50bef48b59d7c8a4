# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/cryptocops
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The S3-compatible server the object-storage tests write to (tests/test_object_storage.py):
# moto_server from the venv, started by scripts/ensure-services.sh when nothing answers there.
# Each test makes a bucket of its own, so parallel processes share the one server.
TEST_S3_ENDPOINT_URL ?= http://127.0.0.1:5100
export TEST_DATABASE_URL TEST_REDIS_URL TEST_S3_ENDPOINT_URL
# The suite runs in two halves: first, in TEST_PROCESSES parallel processes (pytest-xdist),
# every test that needs neither the session's shared Celery worker nor a browser, each
# process with its own test database and Redis database (tests/parallel.py: process N uses
# the Redis database N after TEST_REDIS_URL's); then the worker and browser tests, also in
# TEST_PROCESSES processes, each with its own Celery worker, live server and Chromium on its
# own databases (one process took 4.5 min for them once the curriculum grew). The first half
# creates each process's test database afresh (--create-db) and keeps it; the second reuses
# it (--reuse-db) instead of migrating a new one (5-10 s a process). A closing check
# (tests/suite_split.py) proves the halves ran every test once and prints both runs' totals.
TEST_PROCESSES ?= 2
PARALLEL_TESTS := not worker and not e2e
# The project's Python packages (each top-level folder with an __init__.py).
APP_DIRS := $(patsubst %/__init__.py,%,$(wildcard */__init__.py))

# Environment for the test suite and its checks: real PostgreSQL and Redis.
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	TEST_S3_ENDPOINT_URL=$(TEST_S3_ENDPOINT_URL)
# Production-like environment for `check --deploy`: only the environment differs.
DEPLOY_ENV := DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	AUDIT_HMAC_KEY=$$(head -c 48 /dev/urandom | base64) AUDIT_LEGACY_LAST_ID=0 \
	AUDIT_CHECKPOINT_KEY=$$(head -c 48 /dev/urandom | base64) \
	ALLOWED_HOSTS=training.example.org SITE_URL=https://training.example.org \
	OBJECT_STORAGE=s3 AWS_STORAGE_BUCKET_NAME=cryptocops-files \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)

.PHONY: help run test lint bench loadtest drill setup-run setup-test bytecode clean

# DEBUG is off unless asked for (config/settings.py). The development site and the test
# suite ask for it here; `check --deploy` below runs with DEBUG=false.
run setup-run test setup-test bench loadtest: export DEBUG := true

help:
	@echo "make run   - set up and start the site on http://127.0.0.1:$(PORT) (SQLite, embedded broker)"
	@echo "make test  - set up PostgreSQL, Redis, an S3 server (moto) and Chromium, then run every check and test"
	@echo "make drill - kill a web and a worker node mid-run on a four-node deployment and check nothing is lost (root)"
	@echo "make bench - measure certificate latency, sync_content, lab generation, the 600-officer roster, one certificate PDF, 600 certificates in bulk, the dashboards at 20,000 officers and the pages' throughput under gunicorn against a hello-world Django app"
	@echo "make loadtest - 300 officers and 20 agency admins (locust) against gunicorn with 4 workers for 2 minutes: p50/p95/p99 and errors per endpoint group, then the highest user count that keeps p95 under 500 ms with no error"

$(VENV)/.python:
	@python=$$(scripts/find-python.sh) && "$$python" -m venv $(VENV) && echo "$$python" > $@

# pip installs uv (pinned with hashes), and uv installs the locked requirements: the same
# hashes are checked, in about 5 s instead of pip's 45 s for the development set.
$(VENV)/.uv: requirements/bootstrap.txt $(VENV)/.python
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/bootstrap.txt
	@touch $@

$(VENV)/.installed-base: requirements/base.txt $(VENV)/.uv
	$(PY) -m uv pip install --quiet --python $(PY) --require-hashes -r requirements/base.txt
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt $(VENV)/.uv
	$(PY) -m uv pip install --quiet --python $(PY) --require-hashes -r requirements/dev.txt
	@touch $@ $(VENV)/.installed-base

# Compiled bytecode for the installed packages and the project, written once here: uv installs
# none, and where PYTHONDONTWRITEBYTECODE is set (the systemd units set it; so do some shells)
# no Python process writes any, so every process compiled Django and the rest from source on
# each start: 3.8 s of CPU to import the site instead of 1.5 s, paid by each gunicorn worker
# every 1,000 requests and by each test process, Celery worker and command. Up to date, this
# step takes about a second; a stale file is ignored by Python, never used.
bytecode:
	@$(PY) -m compileall -q -j 0 $(VENV)/lib $(APP_DIRS) bench manage.py >/dev/null

setup-run: $(VENV)/.installed-base
	@$(MAKE) --no-print-directory bytecode
	@scripts/ensure-services.sh --site
	@mkdir -p var/static var/mail var/celery-broker/queue var/celery-broker/control var/celery-broker/processed
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py badge_dev_key
	$(PY) manage.py sync_content
	$(PY) manage.py signing_dev_keys
	$(PY) manage.py seed_demo

run: setup-run
	@PORT=$(PORT) scripts/run-dev.sh

# The Nu HTML checker the page crawl validates every page with (tests/e2e/test_crawl.py): the
# exact version in package-lock.json, from npm into var/node/; run with Java. Its install
# script, which would download a Java runtime, is not run: ensure-services.sh installs Java.
VNU_JAR := var/node/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): package.json package-lock.json
	@mkdir -p var/node
	cp package.json package-lock.json var/node/
	cd var/node && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

setup-test: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory bytecode
	@scripts/ensure-services.sh
	@$(MAKE) --no-print-directory $(VNU_JAR)
	@mkdir -p var/static
	$(PY) manage.py signing_dev_keys

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: setup-test lint
	$(PY) manage.py compile_translations
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	@# check --deploy refuses missing or development signing keys: give it throwaway
	@# production-like ones (a self-signed EC P-256 PDF key for one day, an Ed25519 badge key),
	@# made in a temporary directory that is removed afterwards.
	@keys=$$(mktemp -d) && trap 'rm -rf "$$keys"' EXIT && \
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj "/O=Crypto Cops/CN=Throwaway signing certificate for check --deploy" \
		-keyout "$$keys/key.pem" -out "$$keys/cert.pem" 2>/dev/null && \
	$(PY) manage.py badge_dev_key --path "$$keys/ob-ed25519.pem" >/dev/null && \
	$(DEPLOY_ENV) CERT_SIGNING_KEY=$$keys/key.pem CERT_SIGNING_CERT=$$keys/cert.pem \
		OB_SIGNING_KEY=$$keys/ob-ed25519.pem \
		$(PY) manage.py check --deploy --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py sync_content --check --translations
	@rm -rf var/test-runs
	@status=0; \
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_PROCESSES) -m "$(PARALLEL_TESTS)" --create-db --reuse-db \
		--record-selection=var/test-runs/parallel.json --junitxml=var/test-runs/parallel.xml || status=1; \
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_PROCESSES) -m "not ($(PARALLEL_TESTS))" --reuse-db \
		--record-selection=var/test-runs/serial.json --junitxml=var/test-runs/serial.xml || status=1; \
	$(PY) -m tests.suite_split var/test-runs/parallel.json var/test-runs/parallel.xml \
		var/test-runs/serial.json var/test-runs/serial.xml || status=1; \
	exit $$status

# Benchmarks (see each script's docstring): quiz pass -> certificate PDF through a real
# worker, sync_content on the full curriculum (first run and no-change run), and tracing-lab
# graph generation; the agency and programme dashboards and a transcript on a seeded database
# of 20,000 + 20,200 officers (bench/seed_scale.py, kept between runs); last, the signed-in
# pages' throughput under gunicorn with production settings, driven by wrk, against a
# hello-world Django app under the same gunicorn settings.
bench: setup-test
	$(PY) bench/certificate_latency.py
	$(PY) bench/sync_content.py
	$(PY) bench/lab_generation.py
	$(PY) bench/cohort_roster.py
	$(PY) bench/pdf_signing.py
	$(PY) bench/pdf_render.py
	$(PY) bench/certificate_throughput.py
	$(PY) bench/agency_dashboard.py
	$(PY) bench/page_throughput.py --connections 10,50 --rounds 3

# Load figures (bench/loadtest/run.py, issue 17 §3): locust's simulated officers (reading
# lessons, autosaving answers, submitting quizzes) and agency admins (dashboards, rosters)
# against gunicorn with 4 workers, production settings, PostgreSQL and Redis on this machine:
# 300 + 20 for 2 minutes, then a step search for the highest user count that keeps every
# p95 under 500 ms with no error. Its own database (cc_loadtest, dropped after) and Redis
# database (12, emptied). About 10 minutes; the figures are in deploy/README.md, "Capacity".
# setup-test compiles the bytecode first (make bytecode), as gunicorn's recycled workers
# would otherwise compile Django from source in the middle of the measurement.
loadtest: setup-test
	$(PY) bench/loadtest/run.py

# The multi-node drill (drill/run.py, issue 17 §2): two web and two worker nodes in network
# namespaces behind nginx, 50 officers through the course while a web node and the beat's
# worker node are killed and restarted (files in a bucket of the drill's own S3 server);
# every officer completes with one certificate, beat never sends from two places. Needs root;
# installs nginx with apt if missing; logs in var/drill/.
drill: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory bytecode
	$(PY) drill/run.py

clean:
	rm -rf $(VENV) var
