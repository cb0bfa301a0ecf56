#!/usr/bin/env bash
# Search benchmark: indexing throughput, search latency, members' memory and disk, and a follower's
# restart time, on a FRESH local 3-member cluster per index configuration (io.quorumkv.tests.perf.SearchBench).
#
#   tests/perf/search-bench.sh [--docs N] [--semantic-docs N] [--configs "none text vector semantic"]
#       [--queries N] [--seed N] [--restart "semantic"] [--data DIR] [--base-port P] [--no-build]
#       [-- EXTRA SearchBench OPTIONS]
#
# For every configuration (default "none text vector semantic"): writes a cluster file of 3 members on
# 127.0.0.1 (client ports P+1..P+3, raft ports P+101..P+103; default P=29400, away from local-3's 7001-7003)
# with its data under DIR/cluster (default DIR=/tmp/search-bench), starts it with
# `quorumkv local-cluster --fresh --config FILE`, runs SearchBench against it (same --seed for all, so every
# configuration loads the same documents), copies the members' logs, and stops the cluster. Configurations:
#   none      no index                          (put throughput baseline)
#   text      title+body full text, category keyword, price numeric: full-text and full-text+filter queries
#   vector    HNSW over the documents' 384-float "embedding" (cosine): vector k-NN queries
#   semantic  body embedded by the leader at write time (all-MiniLM-L6-v2) + title/body full text:
#             semantic and hybrid queries; --semantic-docs documents (default: --docs)
# --restart names the configurations whose run ends with kill -9 of a follower and its timed restart
# (default "semantic"). Defaults: --docs 10000, --queries 500 per kind and client count (1 and 8 clients).
#
# Builds if needed, in a private snapshot of the working tree (DIR/src, copied from this checkout and built
# with `mvn -o -q -DskipTests package` when any source differs), so that builds by others in this checkout
# cannot swap classes or jars under running members; --no-build reuses the snapshot as it is. The source
# state measured (git HEAD, the diff's hash and stat) is written next to the results.
# Output: progress on stderr; per configuration a table (OUT/CONFIG.txt) and JSON (OUT/CONFIG.json), the
# members' logs (OUT/CONFIG-n*.log) and the local-cluster output; at the end all tables side by side
# (OUT/summary.txt), OUT = target/search-bench/run-YYYYmmdd-HHMMSS. Example (a quick smoke):
#   tests/perf/search-bench.sh --docs 2000 --semantic-docs 2000 --queries 500
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DOCS=10000 SEMANTIC_DOCS="" CONFIGS="none text vector semantic" QUERIES=500 SEED="" RESTART="semantic"
DATA=/tmp/search-bench BASE_PORT=29400 BUILD=1 EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --docs) DOCS="$2"; shift 2 ;;
    --semantic-docs) SEMANTIC_DOCS="$2"; shift 2 ;;
    --configs) CONFIGS="$2"; shift 2 ;;
    --queries) QUERIES="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --restart) RESTART="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --base-port) BASE_PORT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$SEMANTIC_DOCS" ]] || SEMANTIC_DOCS="$DOCS"
[[ -n "$SEED" ]] || SEED=$(( (RANDOM << 15 | RANDOM) ))
log() { echo "search-bench.sh $(date +%T): $*" >&2; }
log "seed $SEED; configs: $CONFIGS; docs $DOCS, semantic docs $SEMANTIC_DOCS; data under $DATA"

OUT="$ROOT/target/search-bench/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT" "$DATA"
SNAP="$DATA/src"

# ---- source state and build (in the private snapshot)
(
  cd "$ROOT"
  echo "measured at $(date -Is) from $ROOT"
  echo "git HEAD: $(git rev-parse HEAD 2>/dev/null || echo '?')"
  echo "working-tree diff sha1: $( (git diff HEAD 2>/dev/null; git ls-files --others --exclude-standard 2>/dev/null | sort | xargs -r cat 2>/dev/null) | sha1sum | cut -d' ' -f1)"
  git status --short 2>/dev/null | sed 's/^/  /'
  git diff --stat HEAD 2>/dev/null | sed 's/^/  /'
) >"$OUT/source-state.txt"
(cd "$ROOT" && git diff HEAD 2>/dev/null) >"$OUT/source.diff" || true
src_files() { # the checkout's source files (no build output, data, logs or .git), sorted
  (cd "$ROOT" && find . \( -path ./.git -o -path '*/target' -o -path ./data -o -path ./chaos-runs \) -prune \
     -o -type f ! -name '*.log' -print | LC_ALL=C sort)
}
if [[ "$BUILD" == 1 || ! -f "$SNAP/tests/target/classpath.txt" ]]; then
  hash="$(cd "$ROOT" && src_files | tee "$OUT/source-files.txt" | xargs -d '\n' sha1sum | sha1sum | cut -d' ' -f1)"
  if [[ "$hash" != "$(cat "$SNAP/.src-hash" 2>/dev/null)" || ! -f "$SNAP/tests/target/classpath.txt" \
        || ! -f "$SNAP/server/target/classpath.txt" ]]; then
    log "building a private snapshot of the checkout in $SNAP (sources $hash; takes a minute or two)..."
    rm -rf "$SNAP" && mkdir -p "$SNAP"
    (cd "$ROOT" && tar -cf - -T "$OUT/source-files.txt") | tar -C "$SNAP" -xf -
    (cd "$SNAP" && mvn -o -B -q -DskipTests package) >"$OUT/build.log" 2>&1 \
      || { echo "build failed; see $OUT/build.log" >&2; tail -30 "$OUT/build.log" >&2; exit 1; }
    mkdir -p "$SNAP/target" && touch "$SNAP/target/.quorumkv-built"
    echo "$hash" >"$SNAP/.src-hash"
    cp "$OUT/source-state.txt" "$SNAP/.source-state.txt"
    cp "$OUT/source.diff" "$SNAP/.source.diff"
  else
    log "snapshot $SNAP is up to date (sources $hash)"
  fi
fi
echo "snapshot: $SNAP, sources $(cat "$SNAP/.src-hash" 2>/dev/null), built from:" >>"$OUT/source-state.txt"
sed 's/^/  | /' "$SNAP/.source-state.txt" >>"$OUT/source-state.txt" 2>/dev/null || true
BENCH=(java -Xmx768m -XX:+UseSerialGC -cp "$SNAP/tests/target/classes:$(cat "$SNAP/tests/target/classpath.txt")"
       io.quorumkv.tests.perf.SearchBench)

# ---- the cluster file
CFG="$DATA/cluster.yaml"
{
  echo "# Written by tests/perf/search-bench.sh"
  echo "cluster:"
  echo "  name: search-bench"
  echo "  data-dir: $DATA/cluster"
  echo "nodes:"
  for i in 1 2 3; do
    echo "  - id: n$i"
    echo "    host: 127.0.0.1"
    echo "    raft-port: $((BASE_PORT + 100 + i))"
    echo "    client-port: $((BASE_PORT + i))"
  done
} >"$CFG"

LC_PID="" RESTARTED=""
stop_cluster() {
  if [[ -n "$RESTARTED" ]] && kill -0 "$RESTARTED" 2>/dev/null; then kill "$RESTARTED" 2>/dev/null || true; fi
  if [[ -n "$LC_PID" ]]; then
    kill "$LC_PID" 2>/dev/null || true
    wait "$LC_PID" 2>/dev/null || true
  fi
  LC_PID="" RESTARTED=""
}
trap stop_cluster EXIT

cluster_ports() { local i; for i in 1 2 3; do echo $((BASE_PORT + i)) $((BASE_PORT + 100 + i)); done; }
start_cluster() { # config
  local clog="$OUT/$1-cluster.log"
  local port
  for port in $(cluster_ports); do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
      echo "port $port is in use (by another cluster?); pick another --base-port" >&2; exit 1
    fi
  done
  (cd "$SNAP" && exec ./quorumkv local-cluster --fresh --config "$CFG") >"$clog" 2>&1 &
  LC_PID=$!
  for _ in $(seq 1 240); do
    grep -qs "ready in" "$clog" && break
    kill -0 "$LC_PID" 2>/dev/null || break
    sleep 0.5
  done
  grep -q "ready in" "$clog" || { echo "cluster did not start; see $clog" >&2; cat "$clog" >&2; exit 1; }
  ENDPOINTS="$(grep -o 'endpoints: .*' "$clog" | cut -d' ' -f2)"
  PIDS="$(grep -o 'pid [0-9]*' "$clog" | awk '{ print $2 }' | paste -sd,)"
  DIRS="$(grep -o 'log .*node.log' "$clog" | awk '{ print $2 }' | xargs -n1 dirname | paste -sd,)"
  # The ports must belong to the members just started, not to a cluster somebody else started meanwhile.
  for port in $(cluster_ports); do
    owner="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)"
    if [[ ",$PIDS," != *",$owner,"* ]]; then
      echo "port $port belongs to pid ${owner:-?}, not to one of this cluster's members ($PIDS); see $clog" >&2
      exit 1
    fi
  done
  log "$1: cluster up (pids $PIDS; $(grep -o 'ready in [0-9]* ms; leader [a-z0-9]*' "$clog"))"
}

for config in $CONFIGS; do
  log "=== $config: starting a fresh cluster"
  start_cluster "$config"
  args=(--index "$config" --docs "$DOCS" --semantic-docs "$SEMANTIC_DOCS" --queries "$QUERIES" --seed "$SEED"
        --endpoints "$ENDPOINTS" --member-pids "$PIDS" --data-dirs "$DIRS" --json-file "$OUT/$config.json")
  for r in $RESTART; do [[ "$r" == "$config" ]] && args+=(--restart); done
  status=0
  "${BENCH[@]}" "${args[@]}" "${EXTRA[@]}" | tee "$OUT/$config.txt" || status=$?
  RESTARTED="$(grep -o '"new_pid" : [0-9]*' "$OUT/$config.json" 2>/dev/null | grep -o '[0-9]*$' || true)"
  [[ "$status" == 0 ]] || log "$config: SearchBench exited with $status"
  for d in ${DIRS//,/ }; do cp "$d/node.log" "$OUT/$config-$(basename "$d").log" 2>/dev/null || true; done
  stop_cluster
  for d in ${DIRS//,/ }; do cp "$d/node.log" "$OUT/$config-$(basename "$d").log" 2>/dev/null || true; done
  sleep 1
done

log "=== summary (also in $OUT/summary.txt)"
files=()
for config in $CONFIGS; do [[ -f "$OUT/$config.json" ]] && files+=("$OUT/$config.json"); done
"${BENCH[@]}" --summarize "${files[@]}" | tee "$OUT/summary.txt"
log "results in $OUT"
