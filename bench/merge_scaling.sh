#!/usr/bin/env bash
# merge_scaling.sh BUILD_DIR: does merging and alias recomputation stay
# n log n as the forest grows?
#
# How the figure is obtained:
#  1. BUILD_DIR/bench/forest_bench_merge runs BM_MergeAndBuildView at n = 1k,
#     10k and 100k records (see bench/merge_bench.cc: per iteration, every
#     root merges its children's exports and the helper rebuilds its view with
#     the aliases), --benchmark_repetitions=$REPS (default 5) of at least
#     $MIN_TIME seconds each (default 1, so that 100k runs several iterations
#     and a first iteration's page faults do not dominate), JSON output.
#  2. For each n, the fastest repetition's real time per iteration divided by n
#     gives ns/record. The minimum is the least noisy estimate of the cost on a
#     shared machine: noise only ever adds time.
#  3. ratio = ns/record at 100k ÷ ns/record at 1k. Perfect n log n growth gives
#     log(100k)/log(1k) = 5/3 ≈ 1.67 (the allowance); a quadratic step would
#     give ~100. The check fails when ratio > 2 × allowance (3.33), leaving
#     room for cache effects at 100k records without hiding a real regression.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
bin="$1/bench/forest_bench_merge"
if [ ! -x "$bin" ]; then
  echo "merge_scaling: $bin not found; build it with: ninja -C $1 forest_bench_merge" >&2
  exit 2
fi
reps=${REPS:-5}
min_time=${MIN_TIME:-1}  # seconds per repetition: several iterations even at 100k

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bin" --benchmark_filter='BM_MergeAndBuildView/' --benchmark_repetitions="$reps" \
  --benchmark_min_time="$min_time" --benchmark_format=json >"$out"

python3 - "$out" <<'PY'
import json, math, sys

with open(sys.argv[1]) as f:
    doc = json.load(f)
to_ns = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
best = {}  # n -> min ns per record
for b in doc["benchmarks"]:
    if b.get("run_type") != "iteration":
        continue
    n = int(b["run_name"].split("/")[1])
    per_record = b["real_time"] * to_ns[b["time_unit"]] / n
    best[n] = min(best.get(n, per_record), per_record)

need = (1000, 100000)
missing = [n for n in need if n not in best]
if missing:
    print(f"merge_scaling: no results for n = {missing}; is this the right binary?", file=sys.stderr)
    sys.exit(2)

print(f"{'n':>8}, {'ns/record':>10}")
for n in sorted(best):
    print(f"{n:>8}, {best[n]:>10.1f}")
ratio = best[100000] / best[1000]
allowance = math.log(100000) / math.log(1000)
limit = 2 * allowance
print(f"per-record time 100k / 1k: {ratio:.2f} (n log n allowance {allowance:.2f}, limit {limit:.2f})")
if ratio > limit:
    print(f"merge_scaling: FAIL: per-record time grows {ratio:.2f}x from 1k to 100k records, more than "
          f"{limit:.2f} (twice the n log n allowance): merge or alias recomputation is no longer n log n",
          file=sys.stderr)
    sys.exit(1)
print("merge_scaling: OK")
PY
