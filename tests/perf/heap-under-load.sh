#!/usr/bin/env bash
# A member's heap under sustained writes: starts the local 3-member cluster (cluster-config/local-3.yaml,
# fresh data) with GC logging, writes single-key puts with 64 in flight through one client
# (`quorumkv load --batch 1 --in-flight 64`) for MINUTES, then prints, for each member and each minute,
# the heap used right after garbage collection (the live data plus not yet collected old objects), the
# heap after each full collection (the live data), and the write rate.
#
#   tests/perf/heap-under-load.sh [MINUTES]        (default 10)
#
# Member JVM options are the defaults (-Xmx512m -XX:+UseSerialGC) plus GC logging; override the heap with
# QUORUMKV_NODE_OPTS as for `quorumkv local-cluster`. Output: the per-minute table on stdout; the GC logs,
# the cluster's and the load's output under target/heap-under-load/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MINUTES="${1:-10}"
OUT="$ROOT/target/heap-under-load"
rm -rf "$OUT" && mkdir -p "$OUT"
cd "$ROOT"

export QUORUMKV_NODE_OPTS="${QUORUMKV_NODE_OPTS:--Xmx512m -XX:+UseSerialGC} -Xlog:gc:file=$OUT/gc-%p.log:uptime"
./quorumkv local-cluster --fresh >"$OUT/cluster.log" 2>&1 &
CLUSTER=$!
trap 'kill $CLUSTER 2>/dev/null || true; wait $CLUSTER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  grep -q "ready in" "$OUT/cluster.log" && break
  sleep 1
done
grep "ready in" "$OUT/cluster.log" || { echo "cluster did not start; see $OUT/cluster.log" >&2; exit 1; }

echo "writing for $MINUTES minute(s)..."
timeout "$((MINUTES * 60))" ./quorumkv load --keys 1000000000 --batch 1 --in-flight 64 --prefix heap/ \
  >"$OUT/load.log" 2>&1 || true
grep -o '[0-9]* keys/s' "$OUT/load.log" | awk '{ s += $1; n++ } END { if (n) printf "write rate: %.0f keys/s on average over %d progress lines\n", s / n, n }'

# Serial GC lines look like: [12.345s][info][gc] GC(7) Pause Young (Allocation Failure) 140M->31M(494M) 5.1ms
for log in "$OUT"/gc-*.log; do
  pid="$(basename "$log" .log | cut -d- -f2)"
  member="$(grep -o "started [^ ]* *pid $pid\b" "$OUT/cluster.log" | awk '{ print $2 }' || true)"
  [[ -n "$member" ]] || continue # the launcher's own JVM
  echo "member $member: heap used after GC (MB) per minute of uptime: min / max, collections"
  awk '/Pause/ && /->/ {
         t = substr($1, 2) + 0; m = int(t / 60)
         split($0, a, "->"); split(a[2], b, "M"); after = b[1] + 0
         if (!(m in lo) || after < lo[m]) lo[m] = after
         if (!(m in hi) || after > hi[m]) hi[m] = after
         n[m]++; if (m > last) last = m
       }
       /Pause Full/ && /->/ { split($0, f, "->"); split(f[2], g, "M"); full = full " " (g[1] + 0) }
       END { for (i = 0; i <= last; i++) if (i in n) printf "  minute %2d: %4d / %4d  (%d)\n", i, lo[i], hi[i], n[i]
             print "  after each full GC (MB):" full }' "$log"
done
