#!/usr/bin/env bash
# ensure-services.sh - make sure the services and system packages needed by the
# test suite (PostgreSQL with its pg_dump and pg_restore, Redis, an S3-compatible server,
# headless Chromium, WeasyPrint libraries, poppler's pdfsig) and the benchmarks (wrk) are
# available before `make test` or `make bench` runs.
#
# Environment:
#   TEST_DATABASE_URL  default postgres://postgres:postgres@127.0.0.1:5432/cryptocops
#   TEST_REDIS_URL     default redis://127.0.0.1:6379/15
#   TEST_S3_ENDPOINT_URL default http://127.0.0.1:5100 (moto_server from .venv, dev lock)
#   CHROMIUM_PATH      default /usr/bin/chromium
#   EUID_OVERRIDE      testing only: pretend to run with this uid (e.g. 1000)
#
# Services are only started/installed when their host is local (127.0.0.1,
# localhost, ::1).  Packages are only installed when running as root on Debian;
# otherwise the script explains what to install and exits 1.  It never calls
# sudo.  When everything is in place it runs no apt-get at all and is fast.

set -euo pipefail

TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/cryptocops}"
TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
TEST_S3_ENDPOINT_URL="${TEST_S3_ENDPOINT_URL:-http://127.0.0.1:5100}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROMIUM_PATH_WAS_SET="${CHROMIUM_PATH:+1}"
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

# WeasyPrint's libraries and fonts for certificates in Latin, Korean/CJK and Thai scripts.
# Korean is set in Nanum Myeongjo (TrueType, Korean only): it subsets in half the time of
# Noto CJK and adds kilobytes, not a hundred, to each PDF; Noto CJK covers the rest of CJK.
SITE_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk fonts-nanum fonts-thai-tlwg)
# poppler-utils: pdfsig, which the tests use to check certificate PDF signatures; openssl:
# the throwaway signing key `make test` gives `check --deploy`; wrk: the HTTP load generator
# of bench/page_throughput.py (`make bench`).
REQUIRED_PACKAGES=(chromium poppler-utils openssl wrk "${SITE_PACKAGES[@]}")
# Commands the tests need, with the package that provides each when absent (any Java 11+ or
# npm on PATH will do): java runs the Nu HTML checker, npm installs it (make setup-test).
REQUIRED_COMMANDS=("java default-jre-headless" "npm npm")
# --site: what `make run` needs (no database or Redis server, no browser); a missing
# package is then a warning, since the site still starts without it.
SITE_ONLY=0
if [ "${1:-}" = "--site" ]; then
	SITE_ONLY=1
	REQUIRED_PACKAGES=("${SITE_PACKAGES[@]}")
fi

PG_WAIT_SECONDS=30
REDIS_WAIT_SECONDS=15
S3_WAIT_SECONDS=20

CURRENT_UID="${EUID_OVERRIDE:-$(id -u)}"
APT_UPDATED=0
APT_LOG="${TMPDIR:-/tmp}/ensure-services-apt.$$.log"

# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------

status() { printf '%s\n' "$*"; }
warn() { printf 'ensure-services: WARNING: %s\n' "$*" >&2; }
die() {
	printf 'ensure-services: ERROR: %s\n' "$*" >&2
	exit 1
}

cleanup() { rm -f "$APT_LOG"; }
trap cleanup EXIT

have() {
	local p
	p="$(command -v "$1" 2>/dev/null)" && [ -x "$p" ]
}

is_root() { [ "$CURRENT_UID" = "0" ]; }

# True if we may install Debian packages ourselves.
can_apt_install() {
	is_root && [ -f /etc/debian_version ] && have apt-get
}

is_local_host() {
	case "$1" in
	127.0.0.1 | localhost | ::1 | "") return 0 ;;
	*) return 1 ;;
	esac
}

# "host:port", with brackets around IPv6 literals.
hostport() {
	case "$1" in
	*:*) printf '[%s]:%s' "$1" "$2" ;;
	*) printf '%s:%s' "$1" "$2" ;;
	esac
}

urldecode() {
	local s="${1//+/%2B}"
	printf '%b' "${s//%/\\x}"
}

# parse_url URL DEFAULT_PORT
# Sets URL_SCHEME URL_USERINFO (raw) URL_USER URL_PASS URL_HOST URL_PORT.
parse_url() {
	local url="$1" default_port="$2" rest authority hostpart
	URL_SCHEME="" URL_USERINFO="" URL_USER="" URL_PASS="" URL_HOST="" URL_PORT=""

	case "$url" in
	*://*)
		URL_SCHEME="${url%%://*}"
		rest="${url#*://}"
		;;
	*) rest="$url" ;;
	esac
	rest="${rest%%\?*}"
	rest="${rest%%#*}"
	authority="${rest%%/*}"

	if [[ "$authority" == *@* ]]; then
		URL_USERINFO="${authority%@*}"
		hostpart="${authority##*@}"
		if [[ "$URL_USERINFO" == *:* ]]; then
			URL_USER="$(urldecode "${URL_USERINFO%%:*}")"
			URL_PASS="$(urldecode "${URL_USERINFO#*:}")"
		else
			URL_USER="$(urldecode "$URL_USERINFO")"
		fi
	else
		hostpart="$authority"
	fi

	if [[ "$hostpart" == \[* ]]; then
		# [ipv6]:port
		URL_HOST="${hostpart#\[}"
		URL_HOST="${URL_HOST%%\]*}"
		local after="${hostpart#*\]}"
		[[ "$after" == :* ]] && URL_PORT="${after#:}"
	elif [[ "$hostpart" == *:* ]]; then
		URL_HOST="${hostpart%%:*}"
		URL_PORT="${hostpart#*:}"
	else
		URL_HOST="$hostpart"
	fi

	[ -n "$URL_HOST" ] || URL_HOST="127.0.0.1"
	[ -n "$URL_PORT" ] || URL_PORT="$default_port"
	case "$URL_PORT" in
	'' | *[!0-9]*) die "invalid port '$URL_PORT' in ${URL_SCHEME:-the} URL (host '$URL_HOST')" ;;
	esac
}

tcp_probe() {
	# shellcheck disable=SC2016  # $1/$2 are expanded by the inner bash
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

apt_update_once() {
	if [ "$APT_UPDATED" = "0" ]; then
		status "apt: apt-get update"
		if ! apt-get update -qq >"$APT_LOG" 2>&1; then
			cat "$APT_LOG" >&2
			die "apt-get update failed"
		fi
		APT_UPDATED=1
	fi
}

apt_install() {
	apt_update_once
	status "apt: installing $*"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$APT_LOG" 2>&1; then
		tail -n 30 "$APT_LOG" >&2
		die "apt-get install $* failed"
	fi
}

# ----------------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------------

parse_url "$TEST_DATABASE_URL" 5432
PG_HOST="$URL_HOST"
PG_PORT="$URL_PORT"
PG_USER="${URL_USER:-postgres}"
PG_PASS="$URL_PASS"
PG_USERINFO="$URL_USERINFO"
PG_ADDR="$(hostport "$PG_HOST" "$PG_PORT")"

# 0 = accepting connections, 1 = up but not (yet) accepting, 2 = unreachable
pg_state() {
	if have pg_isready; then
		local out
		out="$(LC_ALL=C timeout 5 pg_isready -h "$PG_HOST" -p "$PG_PORT" -t 2 2>&1 || true)"
		case "$out" in
		*"accepting connections"*) return 0 ;;
		*"rejecting connections"*) return 1 ;;
		esac
		# "no response", or pg_isready itself failed: double-check with a
		# plain TCP probe before concluding that the server is down.
	fi
	tcp_probe "$PG_HOST" "$PG_PORT" && return 0
	return 2
}

pg_reachable() { pg_state; }

# Runs the command every quarter of a second until it succeeds (0) or SECONDS pass (1).
wait_until() {
	local seconds=$1 i
	shift
	for ((i = 0; i < seconds * 4; i++)); do
		"$@" && return 0
		sleep 0.25
	done
	return 1
}

pg_wait() { wait_until "$PG_WAIT_SECONDS" pg_reachable; }

# Prints "VERSION CLUSTER PORT" for every configured cluster.
pg_clusters() {
	local conf ver name port
	for conf in /etc/postgresql/*/*/postgresql.conf; do
		[ -e "$conf" ] || continue
		name="$(basename "$(dirname "$conf")")"
		ver="$(basename "$(dirname "$(dirname "$conf")")")"
		port="$(sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$conf" 2>/dev/null | tail -n 1)"
		printf '%s %s %s\n' "$ver" "$name" "${port:-5432}"
	done
}

pg_installed() {
	[ -n "$(pg_clusters)" ]
}

pg_server_binaries_present() {
	compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

pg_start() {
	local ver name port started=0 matched=0
	while read -r ver name port; do
		[ "$port" = "$PG_PORT" ] || continue
		matched=1
		if have pg_ctlcluster; then
			status "postgresql: starting cluster $ver/$name (pg_ctlcluster)"
			if pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start; then
				started=1
			fi
		fi
	done < <(pg_clusters)

	if [ "$matched" = "0" ]; then
		die "PostgreSQL is installed but no cluster is configured for port $PG_PORT (clusters: $(pg_clusters | awk '{printf "%s%s/%s:%s", (NR > 1 ? ", " : ""), $1, $2, $3}')). Fix the port in TEST_DATABASE_URL."
	fi

	if [ "$started" = "0" ] && have service; then
		status "postgresql: trying 'service postgresql start'"
		service postgresql start || true
	fi

	if ! pg_wait; then
		if ! is_root; then
			die "PostgreSQL is installed but not running at $PG_ADDR and could not be started as uid $CURRENT_UID. Start it (Debian/Ubuntu: sudo pg_ctlcluster <version> main start, or sudo service postgresql start) or set TEST_DATABASE_URL."
		fi
		die "PostgreSQL did not accept connections at $PG_ADDR within ${PG_WAIT_SECONDS}s after starting; see /var/log/postgresql/."
	fi
}

pg_set_password_fresh() {
	# Only called right after we installed/created the cluster ourselves: a
	# fresh Debian cluster uses peer auth locally and scram for TCP, so the
	# role from the URL needs the password from the URL.
	local sql
	if [ -z "$PG_PASS" ]; then
		warn "TEST_DATABASE_URL has no password; a fresh Debian PostgreSQL requires one for TCP connections."
		return 0
	fi
	if [ "$PG_USER" = "postgres" ]; then
		sql="ALTER ROLE postgres PASSWORD :'pw';"
	else
		sql="SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'usr') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'usr') \\gexec
ALTER ROLE :\"usr\" LOGIN CREATEDB PASSWORD :'pw';"
	fi
	status "postgresql: setting password of role $PG_USER (fresh install)"
	if ! (cd / && printf '%s\n' "$sql" | runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 \
		-p "$PG_PORT" -v pw="$PG_PASS" -v usr="$PG_USER" >/dev/null); then
		die "could not set the password of role $PG_USER"
	fi
}

ensure_postgres() {
	local rc=0
	pg_state || rc=$?
	if [ "$rc" = "0" ]; then
		status "postgresql: reachable at $PG_ADDR"
		return 0
	fi
	if [ "$rc" = "1" ]; then
		# Server is up but still starting (or shutting down); give it time.
		if pg_wait; then
			status "postgresql: reachable at $PG_ADDR"
			return 0
		fi
		die "PostgreSQL at $PG_ADDR is up but rejecting connections."
	fi

	if ! is_local_host "$PG_HOST"; then
		die "PostgreSQL is not reachable at $PG_ADDR (remote host, not starting anything). Check the server/network or set TEST_DATABASE_URL."
	fi

	if ! pg_installed; then
		if ! can_apt_install && ! { is_root && pg_server_binaries_present; }; then
			die "PostgreSQL is not reachable at $PG_ADDR and is not installed. Install it (Debian/Ubuntu: sudo apt-get install postgresql) or set TEST_DATABASE_URL."
		fi
		if ! pg_server_binaries_present; then
			apt_install postgresql
		fi
		if ! pg_installed; then
			# Package installed but no cluster (e.g. create_main_cluster=false).
			local ver
			ver="$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sed 's#/usr/lib/postgresql/\([^/]*\)/.*#\1#' | sort -V | tail -n 1)"
			have pg_createcluster || die "pg_createcluster not found; cannot create a PostgreSQL cluster"
			status "postgresql: creating cluster $ver/main on port $PG_PORT"
			pg_createcluster "$ver" main -p "$PG_PORT" >/dev/null
		fi
		# The package's postinst may already have started it.
		pg_reachable || pg_start
		pg_set_password_fresh
		status "postgresql: installed and started at $PG_ADDR"
		return 0
	fi

	pg_start
	status "postgresql: started at $PG_ADDR"
}

# Verify that we can log in (to the maintenance database "postgres"; Django's
# test runner connects there to create test_<name> itself).
verify_postgres_login() {
	if ! have psql; then
		if can_apt_install; then
			apt_install postgresql-client
			have psql || die "psql still not found after installing postgresql-client"
		else
			warn "psql not found; skipping the login check (install it: sudo apt-get install postgresql-client)."
			return 0
		fi
	fi

	local host_uri="$PG_HOST" out rc=0 dbdesc
	[[ "$PG_HOST" == *:* ]] && host_uri="[$PG_HOST]"
	local uri="postgresql://${PG_USERINFO:+$PG_USERINFO@}${host_uri}:${PG_PORT}/postgres"
	[ -n "$PG_USERINFO" ] || uri="postgresql://postgres@${host_uri}:${PG_PORT}/postgres"
	# keep connection parameters such as ?sslmode=...
	[[ "$TEST_DATABASE_URL" == *\?* ]] && uri="${uri}?${TEST_DATABASE_URL#*\?}"
	PG_MAINT_URI="$uri"

	out="$(LC_ALL=C PGCONNECT_TIMEOUT=5 timeout 10 psql "$uri" -X -q -At -w \
		-c "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user" 2>&1)" || rc=$?
	dbdesc="user '$PG_USER' on $PG_ADDR (database 'postgres')"
	if [ "$rc" != "0" ]; then
		case "$out" in
		*"password authentication failed"* | *"no password supplied"* | *"Peer authentication failed"* | *"Ident authentication failed"* | *"does not exist"* | *"pg_hba.conf"*)
			die "PostgreSQL authentication failed for $dbdesc: $out
Check the user/password in TEST_DATABASE_URL (or the server's pg_hba.conf)."
			;;
		*)
			die "cannot connect to PostgreSQL as $dbdesc: $out"
			;;
		esac
	fi
	if [ "$out" != "t" ]; then
		warn "role '$PG_USER' may not create databases (needs CREATEDB for Django's test database)."
	fi
	status "postgresql: login ok as $PG_USER"

	# The named database holds nothing (tests use test_<name>), but management
	# commands run by make test connect to it, so create it when missing.
	local dbname="${TEST_DATABASE_URL##*/}"
	dbname="${dbname%%\?*}"
	if [[ "$dbname" =~ ^[A-Za-z0-9_]+$ ]]; then
		out="$(LC_ALL=C PGCONNECT_TIMEOUT=5 timeout 10 psql "$uri" -X -q -At -w \
			-c "SELECT 1 FROM pg_database WHERE datname = '$dbname'" 2>&1)" || true
		if [ "$out" != "1" ]; then
			LC_ALL=C PGCONNECT_TIMEOUT=5 timeout 10 psql "$uri" -X -q -w \
				-c "CREATE DATABASE \"$dbname\"" >/dev/null ||
				die "could not create database '$dbname' on $PG_ADDR"
			status "postgresql: created database $dbname"
		fi
	fi
}

# pg_dump and pg_restore of the server's major version (manage.py backup/restore and their
# test): Debian keeps each version's under /usr/lib/postgresql/<major>/bin; a newer client on
# PATH also reads an older server, an older one refuses it.
pg_client_major() {
	LC_ALL=C "$1" --version 2>/dev/null | sed -n 's/.*(PostgreSQL) \([0-9][0-9]*\).*/\1/p' | head -n 1
}

ensure_pg_dump() {
	local num major tool found=1 client
	# No psql means no PostgreSQL client at all (verify_postgres_login could not install it).
	have psql && [ -n "${PG_MAINT_URI:-}" ] ||
		die "the PostgreSQL client (psql, pg_dump, pg_restore) is missing. Install it: sudo apt-get install postgresql-client"
	num="$(LC_ALL=C PGCONNECT_TIMEOUT=5 timeout 10 psql "$PG_MAINT_URI" -X -q -At -w \
		-c "SHOW server_version_num" 2>/dev/null)" || true
	[[ "$num" =~ ^[0-9]+$ ]] || die "could not read the PostgreSQL server's version at $PG_ADDR"
	major=$((num / 10000))
	for tool in pg_dump pg_restore; do
		[ -x "/usr/lib/postgresql/$major/bin/$tool" ] && continue
		client=""
		have "$tool" && client="$(pg_client_major "$(command -v "$tool")")"
		[ -n "$client" ] && [ "$client" -ge "$major" ] && continue
		found=0
	done
	if [ "$found" = "1" ]; then
		status "postgresql: pg_dump and pg_restore for PostgreSQL $major present"
		return 0
	fi
	if ! can_apt_install; then
		die "pg_dump/pg_restore for PostgreSQL $major not found (manage.py backup needs them). Install them: sudo apt-get install postgresql-client-$major"
	fi
	apt_install "postgresql-client-$major"
	[ -x "/usr/lib/postgresql/$major/bin/pg_dump" ] ||
		die "pg_dump for PostgreSQL $major still not found after installing postgresql-client-$major"
}

# ----------------------------------------------------------------------------
# Redis
# ----------------------------------------------------------------------------

parse_url "$TEST_REDIS_URL" 6379
REDIS_HOST="$URL_HOST"
REDIS_PORT="$URL_PORT"
REDIS_PASS="$URL_PASS"
REDIS_SCHEME="$URL_SCHEME"
REDIS_ADDR="$(hostport "$REDIS_HOST" "$REDIS_PORT")"
REDIS_PING_OUTPUT=""

redis_ping() {
	if have redis-cli; then
		local args=(-h "$REDIS_HOST" -p "$REDIS_PORT")
		[ "$REDIS_SCHEME" = "rediss" ] && args+=(--tls)
		local envs=()
		[ -n "$REDIS_PASS" ] && envs+=("REDISCLI_AUTH=$REDIS_PASS")
		REDIS_PING_OUTPUT="$(env "${envs[@]}" timeout 3 redis-cli "${args[@]}" ping 2>&1 || true)"
		[ "$REDIS_PING_OUTPUT" = "PONG" ] && return 0
		return 1
	fi
	tcp_probe "$REDIS_HOST" "$REDIS_PORT"
}

redis_wait() { wait_until "$REDIS_WAIT_SECONDS" redis_ping; }

redis_start() {
	local dir=/tmp logfile args
	[ -d /var/lib/redis ] && [ -w /var/lib/redis ] && dir=/var/lib/redis
	logfile="/tmp/redis-test-${REDIS_PORT}.log"
	if [ -e "$logfile" ] && [ ! -w "$logfile" ]; then
		logfile="/tmp/redis-test-${REDIS_PORT}-$(id -u).log"
	fi
	args=(--daemonize yes --port "$REDIS_PORT" --save "" --appendonly no
		--dir "$dir" --logfile "$logfile")
	[ -n "$REDIS_PASS" ] && args+=(--requirepass "$REDIS_PASS")

	status "redis: starting redis-server on port $REDIS_PORT (log: $logfile)"
	if ! redis-server --bind 127.0.0.1 -::1 "${args[@]}" >/dev/null 2>&1; then
		# older redis without optional ("-") bind addresses
		redis-server --bind 127.0.0.1 "${args[@]}" >/dev/null 2>&1 ||
			die "redis-server failed to start; see $logfile"
	fi
	if ! redis_wait; then
		die "Redis did not answer PING at $REDIS_ADDR within ${REDIS_WAIT_SECONDS}s after starting${REDIS_PING_OUTPUT:+ (last reply: $REDIS_PING_OUTPUT)}; see $logfile"
	fi
}

ensure_redis() {
	if redis_ping; then
		status "redis: reachable at $REDIS_ADDR"
		return 0
	fi

	# redis-cli got some reply other than PONG (NOAUTH, wrong protocol...):
	# the port is taken, so starting a server would not help.
	if have redis-cli && [ -n "$REDIS_PING_OUTPUT" ] &&
		[[ "$REDIS_PING_OUTPUT" != *"Could not connect"* ]] &&
		[[ "$REDIS_PING_OUTPUT" != *"Connection refused"* ]] &&
		tcp_probe "$REDIS_HOST" "$REDIS_PORT"; then
		die "something is listening at $REDIS_ADDR but Redis PING failed: ${REDIS_PING_OUTPUT//$'\n'/ }. Check TEST_REDIS_URL (password?)."
	fi

	if ! is_local_host "$REDIS_HOST"; then
		die "Redis is not reachable at $REDIS_ADDR (remote host, not starting anything). Check the server/network or set TEST_REDIS_URL."
	fi

	if ! have redis-server; then
		if ! can_apt_install; then
			die "Redis is not reachable at $REDIS_ADDR and is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server) or set TEST_REDIS_URL."
		fi
		apt_install redis-server
		# The package's init script may have started it already.
		if redis_ping; then
			status "redis: installed, reachable at $REDIS_ADDR"
			return 0
		fi
		redis_start
		status "redis: installed and started at $REDIS_ADDR"
		return 0
	fi

	redis_start
	status "redis: started at $REDIS_ADDR"
}

# ----------------------------------------------------------------------------
# S3-compatible object storage (moto_server), for tests/test_object_storage.py
# ----------------------------------------------------------------------------

parse_url "$TEST_S3_ENDPOINT_URL" 80
S3_HOST="$URL_HOST"
S3_PORT="$URL_PORT"
S3_ADDR="$(hostport "$S3_HOST" "$S3_PORT")"
MOTO_SERVER="$ROOT/.venv/bin/moto_server"

# 0 = an S3 server answers, 1 = something else holds the port, 2 = nothing listens. S3 answers
# an unsigned GET / with XML: moto lists its buckets to anyone, a real one refuses it.
s3_state() {
	local reply
	tcp_probe "$S3_HOST" "$S3_PORT" || return 2
	# shellcheck disable=SC2016  # $1/$2 are expanded by the inner bash
	reply="$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" &&
		printf "GET / HTTP/1.0\r\nHost: %s\r\n\r\n" "$3" >&3 && cat <&3' \
		_ "$S3_HOST" "$S3_PORT" "$S3_ADDR" 2>/dev/null)" || true
	case "$reply" in
	*ListAllMyBucketsResult* | *AccessDenied*) return 0 ;;
	*) return 1 ;;
	esac
}

s3_wait() { wait_until "$S3_WAIT_SECONDS" s3_state; }

ensure_s3() {
	local rc=0 logfile
	s3_state || rc=$?
	if [ "$rc" = "0" ]; then
		status "s3: reachable at $S3_ADDR"
		return 0
	fi
	if [ "$rc" = "1" ]; then
		die "something other than an S3 server answers at $S3_ADDR. Free the port or set TEST_S3_ENDPOINT_URL."
	fi
	if ! is_local_host "$S3_HOST"; then
		die "no S3 server reachable at $S3_ADDR (remote host, not starting anything). Check it or set TEST_S3_ENDPOINT_URL."
	fi
	[ -x "$MOTO_SERVER" ] ||
		die "$MOTO_SERVER not found: install the development lock (make setup-test does) or set TEST_S3_ENDPOINT_URL."
	mkdir -p "$ROOT/var"
	logfile="$ROOT/var/moto-server-${S3_PORT}.log"
	status "s3: starting moto_server on port $S3_PORT (log: $logfile)"
	# Its own session, so it outlives this script and make, as the daemonized Redis does;
	# in-memory only, so a restart starts with no buckets (each test makes its own).
	setsid "$MOTO_SERVER" -H "$S3_HOST" -p "$S3_PORT" </dev/null >"$logfile" 2>&1 &
	if ! s3_wait; then
		die "moto_server did not answer at $S3_ADDR within ${S3_WAIT_SECONDS}s; see $logfile"
	fi
	status "s3: started at $S3_ADDR"
}

# ----------------------------------------------------------------------------
# System packages (Chromium for browser tests, WeasyPrint libraries)
# ----------------------------------------------------------------------------

# Installs the package of each command in REQUIRED_COMMANDS that is not on PATH.
ensure_commands() {
	local entry command package missing=()
	for entry in "${REQUIRED_COMMANDS[@]}"; do
		read -r command package <<<"$entry"
		have "$command" || missing+=("$package")
	done
	[ "${#missing[@]}" -gt 0 ] || return 0
	if ! can_apt_install; then
		die "missing commands for the test suite (Java runs the Nu HTML checker, npm installs it).
Install them with: sudo apt-get install -y ${missing[*]}"
	fi
	apt_install "${missing[@]}"
	for entry in "${REQUIRED_COMMANDS[@]}"; do
		read -r command package <<<"$entry"
		have "$command" || die "$command still not found after installing $package"
	done
}

ensure_packages() {
	local pkgs=() missing=() pkg
	for pkg in "${REQUIRED_PACKAGES[@]}"; do
		# A custom, working CHROMIUM_PATH makes the chromium package optional.
		if [ "$pkg" = "chromium" ] && [ -n "$CHROMIUM_PATH_WAS_SET" ] && [ -x "$CHROMIUM_PATH" ]; then
			continue
		fi
		pkgs+=("$pkg")
	done

	if have dpkg-query; then
		local installed
		installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null || true)"
		for pkg in "${pkgs[@]}"; do
			# second status letter "i" = installed (also matches held "hi")
			if ! grep -Eq "^${pkg//./\\.}(:[a-z0-9]+)? [a-z]i" <<<"$installed"; then
				missing+=("$pkg")
			fi
		done
	else
		warn "dpkg-query not found (not Debian?); cannot check for: ${pkgs[*]}"
	fi

	if [ "${#missing[@]}" -gt 0 ]; then
		if can_apt_install; then
			apt_install "${missing[@]}"
		elif [ "$SITE_ONLY" = "1" ]; then
			warn "missing system packages: ${missing[*]}; certificate PDFs may fail or lack glyphs.
Install them with: sudo apt-get install -y ${missing[*]}"
			return 0
		else
			die "missing system packages: ${missing[*]}
Install them with: sudo apt-get install -y ${missing[*]}"
		fi
	fi

	if [ "$SITE_ONLY" = "1" ]; then
		status "packages: ok"
		return 0
	fi
	ensure_commands
	if [ ! -x "$CHROMIUM_PATH" ]; then
		die "Chromium not found at $CHROMIUM_PATH. Install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH."
	fi
	if ! have pdfsig; then
		die "pdfsig not found. Install it (Debian: sudo apt-get install poppler-utils)."
	fi
	status "packages: ok"
}

# ----------------------------------------------------------------------------

if [ "$SITE_ONLY" = "1" ]; then
	ensure_packages
	exit 0
fi
ensure_postgres
verify_postgres_login
ensure_pg_dump
ensure_redis
ensure_s3
ensure_packages
