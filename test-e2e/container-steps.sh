#!/usr/bin/env bash
# The container image's own steps, replayed without a container engine (CI has none): the Dockerfile's build stage
# (npm ci, node bin/build.js) in one temporary directory, its deps stage (npm ci --omit=dev) in another, then the
# runtime image's layout (node_modules from deps, dist/ from build, package.json) started as a non-root user with
# DATA_DIR, the Dockerfile's own CMD and HEALTHCHECK commands run as written, and a clean stop on SIGTERM.
#
#   bash test-e2e/container-steps.sh        (run by .ci/run; about a minute, most of it npm ci)
#
# The RUN commands below must be the Dockerfile's, word for word: the script checks that they are, so the two cannot
# drift apart silently. CMD and HEALTHCHECK are read from the Dockerfile itself. As root the server runs as `nobody`
# (setpriv), as the image runs it as `node`; as another user, as that user.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DOCKERFILE="$ROOT/Dockerfile"
BUILD_CI='npm ci --no-audit --no-fund --ignore-scripts'
BUILD='node bin/build.js'
DEPS_CI='npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force'

fail() { echo "container-steps: FAIL: $*" >&2; exit 1; }
step() { echo "container-steps: $*"; }

for run in "$BUILD_CI" "$BUILD" "$DEPS_CI"; do
  grep -qxF "RUN $run" "$DOCKERFILE" || fail "the Dockerfile has no line 'RUN $run': keep this script in step with it"
done
# The exec-form CMD and HEALTHCHECK, as JSON arrays.
read_exec() { node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8").replace(/\\\n\s*/g, " ");
  const line = text.split("\n").find((l) => l.startsWith(process.argv[2]));
  if (!line) { console.error(`no ${process.argv[2]} line`); process.exit(1); }
  const json = line.slice(line.indexOf("["));
  for (const arg of JSON.parse(json)) process.stdout.write(arg + "\0");
' "$DOCKERFILE" "$1"; }
mapfile -d '' CMD < <(read_exec 'CMD [')
# HEALTHCHECK's line starts with options; its command is the array after CMD.
mapfile -d '' HEALTHCHECK < <(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8").replace(/\\\n\s*/g, " ");
  const line = text.split("\n").find((l) => l.startsWith("HEALTHCHECK "));
  for (const arg of JSON.parse(line.slice(line.indexOf("CMD [") + 4))) process.stdout.write(arg + "\0");
' "$DOCKERFILE")
[ "${#CMD[@]}" -gt 0 ] && [ "${#HEALTHCHECK[@]}" -gt 0 ] || fail "could not read CMD and HEALTHCHECK from the Dockerfile"
step "CMD: ${CMD[*]}"

WORK="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK"

# Stage "build": the files the Dockerfile copies (and only those: .dockerignore keeps the rest out).
step "build stage in $WORK/build"
mkdir -p "$WORK/build"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$WORK/build/"
(cd "$WORK/build" && bash -c "$BUILD_CI") >"$WORK/build-ci.log" 2>&1 || { tail -20 "$WORK/build-ci.log"; fail "$BUILD_CI"; }
cp "$ROOT/tsconfig.json" "$ROOT/tsconfig.build.json" "$WORK/build/"
cp -r "$ROOT/bin" "$ROOT/src" "$ROOT/adapters" "$WORK/build/"
(cd "$WORK/build" && bash -c "$BUILD") || fail "$BUILD"

# Stage "deps": production dependencies only.
step "deps stage in $WORK/deps"
mkdir -p "$WORK/deps"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$WORK/deps/"
(cd "$WORK/deps" && HOME="$WORK/deps-home" bash -c "$DEPS_CI") >"$WORK/deps-ci.log" 2>&1 || { tail -20 "$WORK/deps-ci.log"; fail "$DEPS_CI"; }
[ ! -e "$WORK/deps/node_modules/vitest" ] || fail "the runtime's node_modules has vitest: --omit=dev did not apply"

# The runtime image: node_modules from deps, dist/ from build, package.json; DATA_DIR owned by the runtime user.
APP="$WORK/app"
mkdir -p "$APP" "$WORK/data"
cp -r "$WORK/deps/node_modules" "$APP/"
cp -r "$WORK/build/dist" "$APP/"
cp "$ROOT/package.json" "$APP/"
[ ! -e "$APP/src" ] && [ ! -e "$APP/adapters" ] || fail "the runtime holds sources"
chmod -R a+rX "$APP"
step "runtime: $(du -sm "$APP/node_modules" | cut -f1) MB of node_modules, $(du -sm "$APP/dist" | cut -f1) MB of dist"

as_user=()
run_uid="$(id -u)"
if [ "$(id -u)" -eq 0 ]; then
  run_uid=65534
  chown 65534:65534 "$WORK/data"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
PORT="$(free_port)"
MANAGEMENT_PORT="$(free_port)"
# The image's ENV, and what production needs to start without reaching out: Teams with Bot Framework auth (its SDK
# loads on the first activity, so nothing is called at start), Slack off.
env_vars=(
  PATH="$PATH" HOME="$WORK" NODE_ENV=production PORT="$PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" DATA_DIR="$WORK/data"
  MICROSOFT_APP_ID=00000000-0000-4000-8000-000000000001 MICROSOFT_APP_PASSWORD=not-a-real-secret
  MICROSOFT_APP_TYPE=SingleTenant MICROSOFT_APP_TENANT_ID=00000000-0000-4000-8000-000000000002
)

step "start: ${CMD[*]} as uid $run_uid"
started=$(date +%s%N)
(cd "$APP" && exec "${as_user[@]}" env -i "${env_vars[@]}" "${CMD[@]}") >"$WORK/server.log" 2>&1 &
server_pid=$!

healthy=""
for _ in $(seq 1 100); do
  if (cd "$APP" && "${as_user[@]}" env -i "${env_vars[@]}" "${HEALTHCHECK[@]}") >/dev/null 2>&1; then healthy=yes; break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/server.log"; fail "the server exited before it was healthy"; }
  sleep 0.2
done
[ -n "$healthy" ] || { tail -20 "$WORK/server.log"; fail "HEALTHCHECK did not pass within 20 s"; }
step "HEALTHCHECK passed $(( ($(date +%s%N) - started) / 1000000 )) ms after the start"

uid="$(stat -c %u "/proc/$server_pid")"
[ "$uid" -ne 0 ] || fail "the server runs as root"
ready=""
for _ in $(seq 1 100); do
  code="$(node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log(0))' "http://127.0.0.1:$MANAGEMENT_PORT/readyz")"
  if [ "$code" = 200 ]; then ready=yes; break; fi
  sleep 0.2
done
[ -n "$ready" ] || { tail -20 "$WORK/server.log"; fail "/readyz on the management port did not answer 200 (last: $code)"; }
[ "$(stat -c %u "$WORK/data/coexist-advisor.db")" = "$uid" ] || fail "the store in DATA_DIR is not owned by the server's user"
public="$(node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log(0))' "http://127.0.0.1:$PORT/metrics")"
[ "$public" = 404 ] || fail "the public port answered $public for /metrics (expected 404)"
step "ready: uid $uid, store $(stat -c %s "$WORK/data/coexist-advisor.db") bytes in DATA_DIR, /metrics not on the public port"

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" -eq 0 ] || { tail -20 "$WORK/server.log"; fail "exit $status after SIGTERM (expected 0)"; }
grep -q '"msg":"stopped"' "$WORK/server.log" || fail "no 'stopped' line after SIGTERM"
step "PASS: built, installed for production, started as a non-root user, healthy, ready, stopped cleanly on SIGTERM"
