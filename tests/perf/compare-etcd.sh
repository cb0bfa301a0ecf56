#!/usr/bin/env bash
# QuorumKV next to etcd on this machine, with the same load generator and load model (`quorumkv bench`,
# closed loop; etcd through plain gRPC stubs of its own API, see tests/src/main/proto), the same topology on
# loopback and fresh clusters for every run, alternating the two systems (A B A B ...). Prints, for every
# workload, the median of the runs with their spread, side by side, and the ratio QuorumKV / etcd.
#
#   tests/perf/compare-etcd.sh [--members 3|1] [--reps N] [--warmup S] [--duration S] [--workloads "W ..."]
#
# A workload is KIND:CLIENTS[:BATCH], KIND one of put, get, stale-get, batch (see `quorumkv bench --help`);
# default: "put:1 put:16 put:64 put:256 get:64 batch:16:100". Defaults: 3 members, 3 runs per system and
# workload, 5 s warm-up, 10 s measured. etcd is installed from Debian's packages (etcd-server) if missing.
# Each run's JSON, the members' logs and the table are kept under target/compare-etcd/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MEMBERS=3 REPS=3 WARMUP=5 DURATION=10
WORKLOADS="put:1 put:16 put:64 put:256 get:64 batch:16:100"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --members) MEMBERS="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$MEMBERS" == 1 || "$MEMBERS" == 3 ]] || { echo "--members must be 1 or 3" >&2; exit 2; }

# etcd-server holds etcd, etcd-client holds etcdctl (the health check below).
if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
  echo "installing etcd from Debian's packages..." >&2
  apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server etcd-client >&2
fi
OUT="$ROOT/target/compare-etcd"
rm -rf "$OUT" && mkdir -p "$OUT/runs"
cd "$ROOT"
echo "building..." >&2
mvn -B -q -DskipTests package >&2
mkdir -p target && touch target/.quorumkv-built
# The tests module's classpath carries the etcd bench target; the same bench drives both systems.
BENCH=(java -Xmx512m -XX:+UseSerialGC -cp "tests/target/classes:$(cat tests/target/classpath.txt)"
       io.quorumkv.cli.QuorumKvCli bench)

PIDS=() ENDPOINTS=""
start_etcd() {
  local dir="$OUT/etcd-data" cluster="" i
  rm -rf "$dir" && mkdir -p "$dir"
  for i in $(seq 1 "$MEMBERS"); do cluster+="${cluster:+,}e$i=http://127.0.0.1:${i}2380"; done
  PIDS=() ENDPOINTS=""
  for i in $(seq 1 "$MEMBERS"); do
    etcd --name "e$i" --data-dir "$dir/e$i" --initial-cluster "$cluster" --initial-cluster-state new \
      --initial-cluster-token compare --listen-client-urls "http://127.0.0.1:${i}2379" \
      --advertise-client-urls "http://127.0.0.1:${i}2379" --listen-peer-urls "http://127.0.0.1:${i}2380" \
      --initial-advertise-peer-urls "http://127.0.0.1:${i}2380" >"$OUT/etcd-e$i.log" 2>&1 &
    PIDS+=($!)
    ENDPOINTS+="${ENDPOINTS:+,}127.0.0.1:${i}2379"
  done
  for _ in $(seq 1 60); do
    ETCDCTL_API=3 etcdctl --endpoints="$ENDPOINTS" endpoint health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "etcd did not become healthy; see $OUT/etcd-e*.log" >&2; return 1
}

start_quorumkv() {
  local config=cluster-config/local-3.yaml
  [[ "$MEMBERS" == 1 ]] && config=cluster-config/single.yaml
  ./quorumkv local-cluster --fresh --config "$config" >"$OUT/quorumkv.log" 2>&1 &
  PIDS=($!)
  for _ in $(seq 1 120); do
    grep -q "ready in" "$OUT/quorumkv.log" && break
    sleep 0.5
  done
  grep -q "ready in" "$OUT/quorumkv.log" || { echo "QuorumKV did not start; see $OUT/quorumkv.log" >&2; return 1; }
  ENDPOINTS="$(grep -o 'endpoints: .*' "$OUT/quorumkv.log" | cut -d' ' -f2)"
  MEMBER_PIDS="$(grep -o 'pid [0-9]*' "$OUT/quorumkv.log" | awk '{ print $2 }' | paste -sd,)"
}

stop_all() {
  kill "${PIDS[@]}" 2>/dev/null || true
  wait "${PIDS[@]}" 2>/dev/null || true
}
trap stop_all EXIT

run() { # system workload rep
  local system="$1" kind clients batch
  IFS=: read -r kind clients batch <<<"$2"
  local args=(--workload "$kind" --clients "$clients" --warmup "$WARMUP" --duration "$DURATION" --json)
  [[ -n "$batch" ]] && args+=(--batch-size "$batch")
  if [[ "$system" == etcd ]]; then
    start_etcd
    MEMBER_PIDS="$(IFS=,; echo "${PIDS[*]}")"
    args+=(--target etcd)
  else
    start_quorumkv
  fi
  "${BENCH[@]}" "${args[@]}" --endpoints "$ENDPOINTS" --member-pids "$MEMBER_PIDS" \
    >"$OUT/runs/$system-$2-$3.json" 2>"$OUT/runs/$system-$2-$3.log" || true
  stop_all
  sleep 1
  echo "  $system $2 run $3: $(grep -o '"ops_per_s":[0-9.]*' "$OUT/runs/$system-$2-$3.json" | cut -d: -f2) ops/s" >&2
}

for workload in $WORKLOADS; do
  for rep in $(seq 1 "$REPS"); do
    run etcd "$workload" "$rep"
    run quorumkv "$workload" "$rep"
  done
done

python3 - "$OUT" "$MEMBERS" "$WORKLOADS" <<'PY' | tee "$OUT/table.md"
import json, statistics, sys, glob, os
out, members, workloads = sys.argv[1], sys.argv[2], sys.argv[3].split()
def runs(system, w):
    rs = []
    for f in sorted(glob.glob(f"{out}/runs/{system}-{w}-*.json")):
        try:
            rs.append(json.load(open(f)))
        except (ValueError, OSError):
            pass
    return rs
def cell(rs, key):
    vals = [r[key] for r in rs if r.get(key) is not None]
    if not vals:
        return None, "n/a"
    m = statistics.median(vals)
    return m, f"{m:,.0f} ({min(vals):,.0f}-{max(vals):,.0f})"
def lat(rs, p):
    vals = [r["latency_ms"][p] for r in rs if r.get("latency_ms", {}).get(p) is not None]
    return f"{statistics.median(vals):.1f}" if vals else "n/a"
def cpu(rs):
    vals = [r["cpu_ms_per_op_members"] for r in rs if r.get("cpu_ms_per_op_members") is not None]
    return f"{statistics.median(vals):.3f}" if vals else "n/a"
print(f"{members} member(s); median of runs (min-max); latency and member CPU per op are medians")
print("| workload | etcd ops/s | QuorumKV ops/s | ratio | etcd p50 / p99 ms | QuorumKV p50 / p99 ms | member CPU ms/op etcd / QuorumKV |")
print("|---|---|---|---|---|---|---|")
for w in workloads:
    e, q = runs("etcd", w), runs("quorumkv", w)
    key = "keys_per_s" if w.startswith("batch") else "ops_per_s"
    em, et = cell(e, key)
    qm, qt = cell(q, key)
    ratio = f"{qm / em:.2f}" if em and qm else "n/a"
    unit = " keys/s" if key == "keys_per_s" else ""
    print(f"| {w}{unit} | {et} | {qt} | {ratio} | {lat(e,'p50')} / {lat(e,'p99')} | {lat(q,'p50')} / {lat(q,'p99')} | {cpu(e)} / {cpu(q)} |")
PY
