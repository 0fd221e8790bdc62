#!/usr/bin/env bash
# container.podman: builds the Dockerfile's image from the working tree with podman and runs it
# the way a CI job runs a sidecar: the AWS CLI creates a stream and reads back a record, the
# record outlives a new container on the same /data volume, the server runs as uid 10001, the
# health check passes and the start-up line names 0.0.0.0. Prints how long every step took.
#
#   tests/container/run.sh SOURCE_DIR WORK_DIR
#
# Follows /work/shared/CONTAINERS.md's recipe for machines without a Docker engine or a
# registry: Debian's podman with runc and host networking, and a base image made from Debian
# packages with mmdebstrap (its rootfs tar is kept in WORK_DIR, so a rerun skips that step).
# Installs podman, runc and mmdebstrap when missing and run as root; exits 77 (CTest: skipped)
# only when podman cannot be had.
set -euo pipefail

src=$(cd "${1:?usage: run.sh SOURCE_DIR WORK_DIR}" && pwd)
work=${2:?usage: run.sh SOURCE_DIR WORK_DIR}
mkdir -p "$work"
work=$(cd "$work" && pwd)

readonly SKIP=77
readonly IMAGE=localhost/kinesim:container-test
readonly BASE=localhost/debian:bookworm-slim
readonly UID_EXPECTED=10001
# The runtime stage may add this much to the base image (the issue's budget).
readonly MAX_ADDED_BYTES=$((100 * 1000 * 1000))
readonly name="kinesim-ctest-$$"
readonly volume="kinesim-ctest-data-$$"

# Milliseconds since the epoch.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# seconds MS: MS as seconds with one decimal.
seconds() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
started_all=$(now_ms)
timings=()
# step NAME COMMAND...: runs COMMAND and records how long it took.
step() {
  local label=$1
  shift
  local t0 t1
  t0=$(now_ms)
  echo "== $label"
  "$@"
  t1=$(now_ms)
  timings+=("$(printf '%7s s  %s' "$(seconds $((t1 - t0)))" "$label")")
}
report_timings() {
  echo "== timings"
  printf '%s\n' "${timings[@]}"
  printf '%7s s  total\n' "$(seconds $(($(now_ms) - started_all)))"
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# -- tools ------------------------------------------------------------------------------------
install_tools() {
  local missing=()
  for tool in podman runc mmdebstrap; do
    command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || missing+=("$tool")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "container.podman skipped: ${missing[*]} not installed, and installing needs root" \
      "(.ci/install-deps --test installs them)"
    exit "$SKIP"
  fi
  echo "installing ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    "${missing[@]}" >/dev/null; }; then
    echo "container.podman skipped: apt-get could not install ${missing[*]}"
    exit "$SKIP"
  fi
}
command -v aws >/dev/null 2>&1 || fail "the AWS CLI is not installed (.ci/install-deps --test)"
step "podman, runc, mmdebstrap" install_tools

# crun refuses these machines' hybrid cgroups, and the sandbox lets no container raise its
# RLIMIT_NOFILE or RLIMIT_NPROC.
printf '[containers]\ndefault_ulimits = []\n' >"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
podman() { command podman --runtime /usr/sbin/runc "$@"; }

cleanup() {
  local rc=$?
  podman rm -f -t 0 "$name" "$name-2" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  report_timings
  exit "$rc"
}
trap cleanup EXIT

# -- base image -------------------------------------------------------------------------------
# Registries are out of reach: debian:bookworm-slim is made from the machine's apt sources.
make_base() {
  if podman image exists "$BASE"; then
    echo "$BASE already present"
  else
    local tar="$work/rootfs-bookworm-minbase.tar"
    if [[ ! -s $tar ]]; then
      mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm "$tar.part"
      mv "$tar.part" "$tar"
    fi
    podman import --quiet "$tar" "$BASE" >/dev/null
  fi
  podman tag "$BASE" docker.io/library/debian:bookworm-slim
}
step "base image" make_base

# -- build ------------------------------------------------------------------------------------
# Docker's image format keeps the HEALTHCHECK (OCI's has no place for it). The build context
# is the working tree as .dockerignore trims it.
step "podman build" podman build --format docker --network host --pull=never \
  -t "$IMAGE" -f "$src/Dockerfile" "$src"

check_image() {
  local base_size size added
  base_size=$(podman image inspect --format '{{.Size}}' "$BASE")
  size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
  added=$((size - base_size))
  podman history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | cut -c1-110
  echo "image $size bytes; the runtime stage adds $added bytes to the base"
  ((added < MAX_ADDED_BYTES)) || fail "the runtime stage adds $added bytes, over $MAX_ADDED_BYTES"
  [[ $(podman image inspect --format '{{.Config.User}}' "$IMAGE") == "$UID_EXPECTED:$UID_EXPECTED" ]] ||
    fail "the image's user is not $UID_EXPECTED"
  local health
  health=$(podman image inspect --format '{{json .HealthCheck}}{{json .Config.Healthcheck}}' "$IMAGE")
  grep -q -- "--health-check" <<<"$health" || fail "the image has no HEALTHCHECK"
}
step "image size and config" check_image

# -- run --------------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"

# run_container NAME: starts the image on $port with the volume at /data and waits for its
# start-up line.
run_container() {
  local c=$1
  podman run -d --name "$c" --network host -e "KINESIM_PORT=$port" -v "$volume:/data" \
    "$IMAGE" >/dev/null
  local logs
  for _ in $(seq 1 150); do
    # The logs are read whole before grep looks at them: grep -q stops at its first match, and
    # under pipefail the writer's SIGPIPE would fail a pipeline whose match succeeded.
    logs=$(podman logs "$c" 2>&1) || true
    if grep -q '^kinesim listening on ' <<<"$logs"; then
      grep '^kinesim listening on ' <<<"$logs"
      return 0
    fi
    [[ $(podman inspect --format '{{.State.Running}}' "$c") == true ]] || break
    sleep 0.2
  done
  podman logs "$c" >&2 || true
  fail "$c did not say it was listening"
}

# The AWS CLI with fake credentials and no configuration file of the machine's.
: >"$work/aws-null.ini"
awsk() {
  env $(env | grep -o '^AWS_[A-Za-z0-9_]*' | sed 's/^/-u /') \
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE="$work/aws-null.ini" AWS_SHARED_CREDENTIALS_FILE="$work/aws-null.ini" \
    AWS_EC2_METADATA_DISABLED=true AWS_PAGER= \
    aws --endpoint-url "$endpoint" --output json kinesis "$@"
}
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

step "first container starts" run_container "$name"

startup_line_names_all_addresses() {
  local logs
  logs=$(podman logs "$name" 2>&1) || true
  grep -qx "kinesim listening on http://0.0.0.0:$port" <<<"$logs" ||
    fail "the start-up line does not name 0.0.0.0:$port"
}
step "start-up line names 0.0.0.0" startup_line_names_all_addresses

runs_as_non_root() {
  local in_container pid on_host
  in_container=$(podman exec "$name" id -u)
  [[ $in_container == "$UID_EXPECTED" ]] || fail "id -u in the container is $in_container"
  pid=$(podman inspect --format '{{.State.Pid}}' "$name")
  on_host=$(ps -o uid= -p "$pid" | tr -d ' ')
  [[ $on_host == "$UID_EXPECTED" ]] || fail "the kinesim process runs as uid $on_host"
  [[ $(podman exec "$name" stat -c %u /data/kinesim.db) == "$UID_EXPECTED" ]] ||
    fail "the database is not owned by $UID_EXPECTED"
  echo "uid $in_container in the container, process $pid as uid $on_host"
}
step "runs as uid $UID_EXPECTED" runs_as_non_root

# Without systemd, podman cannot schedule the image's periodic check (it logs "unable to get
# systemd connection"); `podman healthcheck run` runs it on demand and records the status.
healthcheck_passes() {
  podman healthcheck run "$name" || fail "podman healthcheck run failed"
  local status
  status=$(podman inspect --format '{{.State.Health.Status}}' "$name" 2>/dev/null ||
    podman inspect --format '{{.State.Healthcheck.Status}}' "$name")
  [[ $status == healthy ]] || fail "health status is '$status'"
  podman exec "$name" kinesim --health-check
  # The probe must be able to fail: nothing listens on port 1.
  if podman exec -e KINESIM_PORT=1 "$name" kinesim --health-check; then
    fail "the probe passed with nothing listening"
  fi
  echo "health: $status"
}
step "healthcheck" healthcheck_passes

write_records() {
  awsk create-stream --stream-name orders --shard-count 1
  for _ in $(seq 1 50); do
    [[ $(awsk describe-stream-summary --stream-name orders |
      json 'd["StreamDescriptionSummary"]["StreamStatus"]') == ACTIVE ]] && break
    sleep 0.2
  done
  awsk put-record --stream-name orders --partition-key u1 --data aGVsbG8= |
    json 'd["SequenceNumber"]' >"$work/sequence-number"
  echo "put-record: $(cat "$work/sequence-number")"
}
step "create-stream, put-record" write_records

# expect_record: get-records from TRIM_HORIZON returns exactly the record put-record wrote.
expect_record() {
  local iterator got
  iterator=$(awsk get-shard-iterator --stream-name orders --shard-id shardId-000000000000 \
    --shard-iterator-type TRIM_HORIZON | json 'd["ShardIterator"]')
  got=$(awsk get-records --shard-iterator "$iterator" |
    json '"%d %s %s %s" % (len(d["Records"]), d["Records"][0]["PartitionKey"], d["Records"][0]["SequenceNumber"], d["Records"][0]["Data"])')
  # CLI v1 stores the argument's text; CLI v2 decodes it from base64 first.
  local seq
  seq=$(cat "$work/sequence-number")
  [[ $got == "1 u1 $seq YUdWc2JHOD0=" || $got == "1 u1 $seq aGVsbG8=" ]] ||
    fail "get-records returned '$got'"
  echo "get-records: $got"
}
step "get-records" expect_record

stop_first() {
  podman stop -t 10 "$name" >/dev/null
  [[ $(podman inspect --format '{{.State.ExitCode}}' "$name") == 0 ]] ||
    fail "kinesim did not exit 0 on SIGTERM"
  podman rm "$name" >/dev/null
}
step "stop on SIGTERM" stop_first
step "second container on the same volume" run_container "$name-2"
step "get-records after the restart" expect_record

echo "container.podman passed"
