#!/usr/bin/env bash
# The image, for real: build deploy/Dockerfile and run the five services from it against this
# machine's PostgreSQL and NATS JetStream, then check what an operator relies on — /healthz,
# /readyz, an event crossing services, the image's HEALTHCHECK, a graceful stop — and remove
# everything it made, on success or failure.
#
#   sudo bash scripts/image-smoke.sh        (root: it installs packages and runs a dockerd)
#
# How containers run here (deploy/README.md, "Host networking"): a private dockerd of its own
# (sockets and containerd under a temporary directory; a system dockerd is never touched)
# with no bridge, no iptables and no NAT, so every build and container uses the host's
# network. Its data root (the base image and the build cache) is kept in
# $PINGYI_SMOKE_CACHE/docker between runs, so that a run whose dependencies did not change
# rebuilds the project's layers only; one run at a time holds it (a lock), and a run that
# finds it held uses a temporary one. Nothing is pulled from a registry: the Dockerfile's base image
# (python:3.11-slim) is a Debian bookworm made with debootstrap and `docker import`ed under
# that name; its tarball is cached in $PINGYI_SMOKE_CACHE (~/.cache/pingyi/image-smoke).
# Locally added CA certificates (/usr/local/share/ca-certificates, what update-ca-certificates
# installs) reach pip in the build as the `extra-ca` secret.
#
# Settings (environment): PINGYI_SMOKE_PG (admin URL, default
# postgresql://postgres@127.0.0.1:5432/postgres), PINGYI_SMOKE_NATS (nats://127.0.0.1:4222),
# PINGYI_SMOKE_MIRROR (http://deb.debian.org/debian), PINGYI_SMOKE_CACHE, PINGYI_SMOKE_EXTRA_CA
# (one more PEM file to trust). The services use a database and a NATS namespace of their
# own, dropped at the end. Exit 0 when every check passed and the database and streams were
# dropped; 4 when the checks passed but they could not be dropped (said on stderr).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PG_ADMIN_URL=${PINGYI_SMOKE_PG:-postgresql://postgres@127.0.0.1:5432/postgres}
NATS_URL=${PINGYI_SMOKE_NATS:-nats://127.0.0.1:4222}
MIRROR=${PINGYI_SMOKE_MIRROR:-http://deb.debian.org/debian}
CACHE=${PINGYI_SMOKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pingyi/image-smoke}
SERVICES=(registry survey inspection scoring reporting)
# What the Dockerfile needs from its base: `python -m venv`, and CA certificates for pip.
BASE_PACKAGES=python3,python3-venv,python-is-python3,ca-certificates
# Debian's client: it builds with BuildKit itself; the other docker on PATH needs buildx.
DOCKER_CLIENT=/usr/bin/docker

ID="smoke$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')"
IMAGE="pingyi:$ID"
ADMIN_KEY="pyk_${ID}_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
WORK=""
DATA_ROOT=""
KEPT_DATA=""
DOCKERD_PID=""
DATABASE_MADE=""
STARTED=$SECONDS

say() { printf '[image-smoke %3ds] %s\n' "$((SECONDS - STARTED))" "$*"; }
fail() { say "FAILED: $*" >&2; exit 1; }
docker() { DOCKER_HOST="unix://$WORK/docker.sock" DOCKER_BUILDKIT=1 "$DOCKER_CLIENT" "$@"; }
# Python in the built image (psycopg, nats-py, PyYAML are there), on the host's network.
in_image() { docker run --rm -i --network host "$@"; }

# --- cleanup, whatever happened --------------------------------------------------------------

drop_database_and_streams() {
  in_image -e PG_ADMIN_URL="$PG_ADMIN_URL" -e NATS_URL="$NATS_URL" -e ID="$ID" "$IMAGE" \
    python - <<'PY'
import asyncio, os
import nats, psycopg
with psycopg.connect(os.environ["PG_ADMIN_URL"], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{os.environ["ID"]}" WITH (FORCE)')
async def main():
    nc = await nats.connect(os.environ["NATS_URL"])
    js = nc.jetstream()
    for info in await js.streams_info():
        if info.config.name.startswith(os.environ["ID"].upper() + "_"):
            await js.delete_stream(info.config.name)
    await nc.close()
asyncio.run(main())
PY
}

stop_dockerd() {
  kill -TERM "$DOCKERD_PID" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$DOCKERD_PID" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$DOCKERD_PID" 2>/dev/null || true
}

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [ -n "$DOCKERD_PID" ]; then
    if [ "$code" != 0 ]; then
      for name in $(docker ps -aq --filter "label=pingyi-smoke=$ID" 2>/dev/null); do
        say "--- logs of $(docker inspect -f '{{.Name}}' "$name") (last 40 lines)" >&2
        docker logs --tail 40 "$name" >&2 2>&1 || true
      done
    fi
    say "cleaning up: containers, image, database and streams, dockerd, $WORK"
    docker ps -aq --filter "label=pingyi-smoke=$ID" | xargs -r "$DOCKER_CLIENT" \
      -H "unix://$WORK/docker.sock" rm -f >/dev/null 2>&1 || true
    # A shared PostgreSQL may be out of connections for a moment: try a few times.
    if [ -n "$DATABASE_MADE" ]; then
      local dropped=""
      for attempt in 1 2 3 4; do
        drop_database_and_streams && { dropped=1; break; }
        say "could not drop database/streams $ID (attempt $attempt)" >&2
        sleep 3
      done
      # A run whose checks passed but that leaves its database behind has not passed: the
      # next run on a shared PostgreSQL would find it.
      if [ -z "$dropped" ]; then
        say "database $ID and its streams were left behind: drop them by hand" >&2
        [ "$code" != 0 ] || code=4
      fi
    fi
    # After the database: dropping it runs Python in the image.
    forget_image
    stop_dockerd
    say "dockerd stopped"
  fi
  # Anything dockerd left mounted goes before its directory does (or is kept).
  for root in "$WORK" "$DATA_ROOT"; do
    [ -n "$root" ] || continue
    grep -o " $root/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  done
  [ -z "$WORK" ] || rm -rf "$WORK"
  if [ "$code" = 0 ]; then say "passed, cleaned up"; else say "exit $code, cleaned up" >&2; fi
  exit "$code"
}

# --- steps -----------------------------------------------------------------------------------

install_missing() {
  local missing=()
  [ -x /usr/sbin/dockerd ] && [ -x "$DOCKER_CLIENT" ] || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v curl >/dev/null || missing+=(curl)
  command -v python3 >/dev/null || missing+=(python3)
  [ ${#missing[@]} = 0 ] && return 0
  say "installing ${missing[*]}"
  # Installing docker.io must not start a system dockerd: deny service starts meanwhile.
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard"
  fi
  local rc=0
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >"$WORK/apt.log" 2>&1 || {
    apt-get update -q >>"$WORK/apt.log" 2>&1 &&
      apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$WORK/apt.log" 2>&1
  } || rc=$?
  [ -n "$guard" ] && rm -f "$guard"
  [ "$rc" = 0 ] || { tail -20 "$WORK/apt.log" >&2; fail "apt-get install ${missing[*]}"; }
}

# The kept data root, if no other run holds it; else a temporary one. The lock lives as long
# as this script (dockerd does not inherit it).
choose_data_root() {
  DATA_ROOT="$WORK/data"
  mkdir -p "$CACHE"
  exec {lock}>"$CACHE/docker.lock"
  if flock -n "$lock"; then
    DATA_ROOT="$CACHE/docker" KEPT_DATA=yes
    stop_stray_dockerd
  else
    say "another run holds $CACHE/docker: building without its cache"
  fi
}

# A dockerd still on the kept data root while this run holds its lock was left by a run
# that was killed (its script gone, its dockerd not): it holds containerd's database, and a
# new dockerd there waits for it until it gives up ("dockerd did not start"). Stopped here.
stop_stray_dockerd() {
  local stray exec_root
  stray=$(pgrep -f -- "dockerd --data-root $CACHE/docker " | head -1 || true)
  [ -n "$stray" ] || return 0
  # Its own work directory, from its command line: nothing of another run is touched.
  exec_root=$(tr '\0' '\n' <"/proc/$stray/cmdline" | sed -n '/^--exec-root$/{n;p;}')
  say "stopping a dockerd an earlier, killed run left on $CACHE/docker (pid $stray)"
  kill "$stray" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$stray" 2>/dev/null || break
    sleep 0.2
  done
  kill -9 "$stray" 2>/dev/null || true
  if [ -n "$exec_root" ]; then
    pkill -9 -f -- "containerd --config $exec_root/" 2>/dev/null || true
    grep -o " $exec_root/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    case "$exec_root" in /tmp/pingyi-smoke.*/exec) rm -rf "$(dirname "$exec_root")" ;; esac
  fi
}

# In the kept data root, what an earlier run that was killed left behind (its containers,
# its image) goes first: holding the lock, no other run is using them.
forget_earlier_runs() {
  [ -n "$KEPT_DATA" ] || return 0
  docker ps -aq --filter label=pingyi-smoke | xargs -r "$DOCKER_CLIENT" \
    -H "unix://$WORK/docker.sock" rm -f >/dev/null 2>&1 || true
  docker images -q --filter 'reference=pingyi:smoke*' | sort -u | xargs -r "$DOCKER_CLIENT" \
    -H "unix://$WORK/docker.sock" rmi -f >/dev/null 2>&1 || true
}

# The built image goes; the base image and the build cache stay (bounded) in a kept data
# root, and go with the temporary one otherwise.
forget_image() {
  docker rmi -f "$IMAGE" >/dev/null 2>&1 || true
  [ -z "$KEPT_DATA" ] || docker builder prune -f --keep-storage 3gb >/dev/null 2>&1 || true
}

start_dockerd() {
  choose_data_root
  mkdir -p "$DATA_ROOT" "$WORK/exec"
  /usr/sbin/dockerd --data-root "$DATA_ROOT" --exec-root "$WORK/exec" \
    --pidfile "$WORK/dockerd.pid" --host "unix://$WORK/docker.sock" \
    --containerd-namespace "$ID" --containerd-plugins-namespace "$ID-plugins" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --userland-proxy=false --storage-driver=overlay2 >"$WORK/dockerd.log" 2>&1 {lock}>&- &
  DOCKERD_PID=$!
  for _ in $(seq 150); do
    if docker version >/dev/null 2>&1; then
      say "private dockerd up (pid $DOCKERD_PID, work directory $WORK, data root $DATA_ROOT)"
      forget_earlier_runs
      return
    fi
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.2
  done
  tail -20 "$WORK/dockerd.log" >&2
  fail "dockerd did not start"
}

base_image() {
  local key tarball
  key=$(printf '%s %s' "$BASE_PACKAGES" "$MIRROR" | sha256sum | cut -c1-12)
  tarball="$CACHE/bookworm-minbase-$key.tar"
  if [ ! -s "$tarball" ]; then
    say "debootstrap bookworm ($BASE_PACKAGES), cached as $tarball"
    mkdir -p "$CACHE"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$WORK/rootfs" \
      "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      { tail -20 "$WORK/debootstrap.log" >&2; fail "debootstrap"; }
    rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
    tar --numeric-owner -C "$WORK/rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$WORK/rootfs"
  fi
  # Imported once per kept data root: each import is a new image, which no cached layer
  # was built on.
  if docker image inspect "pingyi-smoke-base:$key" >/dev/null 2>&1; then
    docker tag "pingyi-smoke-base:$key" python:3.11-slim
    say "base image python:3.11-slim imported by an earlier run (from $tarball)"
    return
  fi
  docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' -c 'CMD ["python3"]' "$tarball" "pingyi-smoke-base:$key" >/dev/null
  docker tag "pingyi-smoke-base:$key" python:3.11-slim
  say "base image python:3.11-slim imported from $tarball"
}

build_image() {
  local secret=() extra="$WORK/extra-ca.pem"
  find /usr/local/share/ca-certificates -name '*.crt' -type f -print0 2>/dev/null |
    sort -z | xargs -0 -r cat >"$extra"
  [ -n "${PINGYI_SMOKE_EXTRA_CA:-}" ] && cat "$PINGYI_SMOKE_EXTRA_CA" >>"$extra"
  [ -s "$extra" ] && secret=(--secret "id=extra-ca,src=$extra")
  say "building $IMAGE (extra CA certificates: $(grep -c 'BEGIN CERTIFICATE' "$extra" || true))"
  docker build --network host "${secret[@]}" -f "$ROOT/deploy/Dockerfile" -t "$IMAGE" \
    "$ROOT" >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log" >&2; fail "docker build"; }
  local test
  test=$(docker inspect -f '{{json .Config.Healthcheck.Test}}' "$IMAGE")
  [[ "$test" == *pingyi-probe* ]] || fail "the image's HEALTHCHECK is $test"
  say "built $IMAGE; HEALTHCHECK $test"
}

make_database() {
  DATABASE_MADE=yes
  in_image -e PG_ADMIN_URL="$PG_ADMIN_URL" -e ID="$ID" "$IMAGE" python - <<'PY'
import os, psycopg
with psycopg.connect(os.environ["PG_ADMIN_URL"], autocommit=True) as conn:
    conn.execute(f"""CREATE DATABASE "{os.environ['ID']}" ENCODING 'UTF8' TEMPLATE template0""")
PY
  say "database and NATS namespace $ID"
}

free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
}

# deploy/compose.host.yaml as `docker run` input: per service, its environment (compose's
# ${VAR:-default} and ${VAR:?error} interpolated from ours), command and stop grace period,
# restart policy, as lines `<service> env|cmd|stop|restart <value>`. The restart policy
# matters here too: a service that finds PostgreSQL out of connections at start-up exits
# (3), and comes back as it would in production. Read with the image's PyYAML, so the host
# needs nothing but docker for it.
compose_services() {
  in_image "$@" "$IMAGE" python -c '
import os, re, sys, yaml
def sub(m):
    name, op, arg = m.group(1), m.group(2) or "", m.group(3) or ""
    value = os.environ.get(name, "")
    if value:
        return value
    if op.endswith("?"):
        sys.exit(f"{name}: {arg}")
    return arg
def interp(value):
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}", sub, str(value))
for name, svc in yaml.safe_load(sys.stdin)["services"].items():
    for key, value in svc["environment"].items():
        print(name, "env", f"{key}={interp(value)}")
    for word in svc["command"]:
        print(name, "cmd", interp(word))
    print(name, "stop", int(str(svc.get("stop_grace_period", "10s")).rstrip("s")))
    print(name, "restart", svc.get("restart", "no"))
' <"$ROOT/deploy/compose.host.yaml"
}

declare -A PORT
start_services() {
  local ports i=0
  read -r -a ports <<<"$(free_ports ${#SERVICES[@]})"
  local vars=(-e PINGYI_DATABASE_URL="${PG_ADMIN_URL%/*}/$ID" -e PINGYI_NATS_URL="$NATS_URL"
    -e PINGYI_NAMESPACE="$ID" -e PINGYI_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY"
    -e PINGYI_REGISTRY_CONTACT_KEY="contact-$ID-$ADMIN_KEY" -e PINGYI_LISTEN_ADDRESS=127.0.0.1
    -e PINGYI_SEAL_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    -e PINGYI_SURVEY_VOTER_KEY="voter-$ID-$ADMIN_KEY")
  for service in "${SERVICES[@]}"; do
    PORT[$service]=${ports[$i]}
    vars+=(-e "PINGYI_${service^^}_PORT=${ports[$i]}")
    i=$((i + 1))
  done
  compose_services "${vars[@]}" >"$WORK/compose.lines" || fail "reading compose.host.yaml"
  for service in "${SERVICES[@]}"; do
    local envfile="$WORK/$service.env" command=() grace=10 restart=no name kind rest
    : >"$envfile"
    while IFS=' ' read -r name kind rest; do
      [ "$name" = "$service" ] || continue
      case $kind in
        env) printf '%s\n' "$rest" >>"$envfile" ;;
        cmd) command+=("$rest") ;;
        stop) grace=$rest ;;
        restart) restart=$rest ;;
      esac
    done <"$WORK/compose.lines"
    [ ${#command[@]} -gt 0 ] || fail "no command for $service in compose.host.yaml"
    grep -q "^PINGYI_${service^^}_PORT=${PORT[$service]}$" "$envfile" ||
      fail "compose.host.yaml does not pass $service its port"
    docker run -d --name "$ID-$service" --label "pingyi-smoke=$ID" --network host \
      --stop-timeout "$grace" --restart "$restart" --env-file "$envfile" "$IMAGE" \
      "${command[@]}" >/dev/null
  done
  say "started ${SERVICES[*]} on ports ${ports[*]} (command and environment: compose.host.yaml)"
}

url() { printf 'http://127.0.0.1:%s%s' "${PORT[$1]}" "$2"; }

wait_status() { # service path expected-status seconds [key]
  local service=$1 path=$2 want=$3 deadline=$((SECONDS + $4)) key=${5:-} got
  while :; do
    got=$(curl -s -o "$WORK/body" -w '%{http_code}' ${key:+-H "X-API-Key: $key"} \
      "$(url "$service" "$path")" || true)
    [ "$got" = "$want" ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      head -c 2000 "$WORK/body" >&2 || true
      fail "$service $path answered $got, not $want"
    fi
    sleep 0.3
  done
}

check_probes() {
  for service in "${SERVICES[@]}"; do wait_status "$service" /healthz 200 180; done
  say "/healthz 200 on every service"
  for service in "${SERVICES[@]}"; do wait_status "$service" /readyz 200 120; done
  say "/readyz 200 on every service"
}

api() { # service method path [json] -> body on stdout, fails on >= 400
  local service=$1 method=$2 path=$3 data=${4:-} code
  code=$(curl -s -o "$WORK/body" -w '%{http_code}' -X "$method" -H "X-API-Key: $ADMIN_KEY" \
    -H 'content-type: application/json' ${data:+--data-binary "$data"} \
    "$(url "$service" "$path")")
  [ "$code" -lt 400 ] || { cat "$WORK/body" >&2; fail "$method $service$path: $code"; }
  cat "$WORK/body"
}

field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# Registry events reach every other service through NATS: a principal issued on the registry
# is a key the others accept once they have applied the registry's stream up to its head.
check_event_crosses_services() {
  local city unit auditor key head applied deadline began
  city=$(api registry POST /jurisdictions '{"name":"漯河市","level":"city"}' | field jurisdiction_id)
  unit=$(api registry POST /units "{\"jurisdiction_id\":\"$city\",\"name\":\"漯河市教育局\",
    \"kind\":\"government_department\",\"category\":\"政府部门及其它机构\"}" | field unit_id)
  auditor=$(api registry POST /principals '{"name":"镜像冒烟测试审计","role":"auditor"}')
  key=$(field api_key <<<"$auditor")
  head=$(api registry GET /positions | field head)
  local waits=""
  for service in survey inspection scoring reporting; do
    deadline=$((SECONDS + 180)) began=$SECONDS
    while :; do
      applied=$(api "$service" GET /positions | python3 -c \
        'import json, sys; print(json.load(sys.stdin)["consumers"].get("registry") or 0)')
      [ "$applied" -ge "$head" ] && break
      [ $SECONDS -lt $deadline ] || fail "$service applied registry up to $applied < $head"
      sleep 0.2
    done
    wait_status "$service" /positions 200 5 "$key"
    waits+=" $service $((SECONDS - began))s"
  done
  say "unit $unit and an auditor's key (registry position $head) reached survey, inspection," \
    "scoring and reporting through NATS; the new key works on each (waited$waits)"
}

check_healthcheck() {
  local deadline=$((SECONDS + 180)) status pending
  while :; do
    pending=""
    for service in "${SERVICES[@]}"; do
      status=$(docker inspect -f '{{.State.Health.Status}}' "$ID-$service")
      [ "$status" = healthy ] || pending+=" $service:$status"
    done
    [ -z "$pending" ] && break
    [ $SECONDS -lt $deadline ] || fail "HEALTHCHECK not healthy:$pending"
    sleep 1
  done
  say "the image's HEALTHCHECK reports every container healthy"
}

# `docker stop` sends SIGTERM to tini (PID 1), which passes it to `pingyi serve`; the service
# finishes what it has in hand, logs `service stopped` and exits 0. A stop that outlived the
# grace period would have been a SIGKILL: 137.
check_graceful_stop() {
  local began=$SECONDS names=() code took problems="" summary="" restarts
  for service in "${SERVICES[@]}"; do names+=("$ID-$service"); done
  docker stop "${names[@]}" >/dev/null
  took=$((SECONDS - began))
  for service in "${SERVICES[@]}"; do
    code=$(docker inspect -f '{{.State.ExitCode}} {{.State.StartedAt}} {{.State.FinishedAt}}' \
      "$ID-$service")
    summary+=" $service:${code%% *}"
    restarts=$(docker inspect -f '{{.RestartCount}}' "$ID-$service")
    [ "$restarts" = 0 ] || summary+=" (restarted $restarts times)"
    [ "${code%% *}" = 0 ] || problems+=" $service exited ${code%% *} (started, finished: ${code#* });"
    # Through a file: with pipefail, `docker logs | grep -q` fails when grep stops reading.
    docker logs "$ID-$service" >"$WORK/$service.log" 2>&1
    grep -q 'service stopped' "$WORK/$service.log" ||
      problems+=" $service did not log 'service stopped';"
  done
  [ -z "$problems" ] || fail "docker stop (${took}s):$problems"
  say "docker stop: every service shut down gracefully in ${took}s and exited 0 ($summary )"
}

# A stop that comes while the service is still importing, before uvicorn handles SIGTERM.
# As PID 1 it would be dropped (the kernel ignores unhandled signals to PID 1) and Docker
# would SIGKILL after the timeout: 137. Under tini the service ends at once: 0.
check_stop_during_startup() {
  local began code
  docker run -d --name "$ID-early" --label "pingyi-smoke=$ID" --network host \
    --env-file "$WORK/registry.env" "$IMAGE" pingyi serve registry >/dev/null
  began=$SECONDS
  docker stop -t 20 "$ID-early" >/dev/null
  code=$(docker inspect -f '{{.State.ExitCode}}' "$ID-early")
  [ "$code" = 0 ] || fail "docker stop during start-up: exit $code after $((SECONDS - began))s"
  say "docker stop during start-up: exited 0 in $((SECONDS - began))s"
  # For the record, the same without tini (not a check: it shows why tini is there).
  docker run -d --name "$ID-pid1" --label "pingyi-smoke=$ID" --network host --entrypoint "" \
    --env-file "$WORK/registry.env" "$IMAGE" pingyi serve registry >/dev/null
  began=$SECONDS
  docker stop -t 5 "$ID-pid1" >/dev/null
  code=$(docker inspect -f '{{.State.ExitCode}}' "$ID-pid1")
  say "(without tini, as PID 1: exit $code after $((SECONDS - began))s of a 5s timeout)"
}

main() {
  [ "$(id -u)" = 0 ] || fail "needs root (packages, a private dockerd)"
  WORK=$(mktemp -d /tmp/pingyi-smoke.XXXXXX)
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  install_missing
  start_dockerd
  base_image
  build_image
  make_database
  start_services
  check_probes
  check_event_crosses_services
  check_healthcheck
  check_graceful_stop
  check_stop_during_startup
}

main "$@"; exit $?  # one line: bash has read it all before main runs, so edits mid-run are harmless
