#!/usr/bin/env bash
# bench/name_propagation.sh BUILD_DIR: how long a new name takes to travel
# from depth 3 (c0-2-1) to the host's resolver (the helper), on real Incus:
#  (1) a service name registered on c0-2-1 (`forest register-local-record`):
#      from the moment the command starts inside the node until the helper
#      answers the canonical name and the short alias (N runs);
#  (2) a workload launched in c0-2-1 (`incus launch`): from the launch until
#      the helper answers its canonical name and alias, and the same measured
#      from the moment the launch returned (the instance runs) (M runs).
# Containers share the host's clock, so t0 is read inside the node. The host
# polls the helper over UDP every 5 ms. Prints p50 and p99 (nearest rank).
# Needs root and incusd. FOREST_BENCH_REUSE=<topology> uses a forest that is
# already up (the source chain's labels), N/M via FOREST_BENCH_N/FOREST_BENCH_M.
set -euo pipefail
build=${1:?usage: bench/name_propagation.sh BUILD_DIR}
forest="$build/forest"
src=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/forest-bench.XXXXXX)
. "$src/tests/forest_tests.sh"
N=${FOREST_BENCH_N:-20}
M=${FOREST_BENCH_M:-5}
cleanup() { forest_bench_chain_down "$forest"; rm -rf "$T"; }
trap cleanup EXIT
forest_bench_chain "$forest" bp
helper=fd00:f00d::53

# poll.py HELPER NAME...: polls the helper until every NAME has an AAAA
# answer; prints the (absolute) time each first answered. It starts before
# the trigger, so the exec's own return trip is not counted.
cat >"$T/poll.py" <<'PY'
import random, socket, struct, sys, time
helper, names = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(0.2)
def query(name):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 28, 1)
    s.sendto(q, (helper, 53))
    try:
        while True:
            r, _ = s.recvfrom(4096)
            if struct.unpack(">H", r[:2])[0] == qid:
                return struct.unpack(">H", r[6:8])[0] > 0
    except socket.timeout:
        return False
seen = {}
deadline = time.time() + 120
while len(seen) < len(names) and time.time() < deadline:
    for n in names:
        if n not in seen and query(n):
            seen[n] = time.time()
    time.sleep(0.005)
print(" ".join(f"{seen.get(n, float('nan')):.6f}" for n in names))
PY
# since T0 "ABS ABS" → "REL REL"
since() { python3 -c "import sys; t0=float(sys.argv[1]); print(' '.join(f'{float(x)-t0:.3f}' for x in sys.argv[2].split()))" "$1" "$2"; }

echo "(1) service name registered at depth 3 → host, $N runs"
: >"$T/reg"
for i in $(seq 1 "$N"); do
  python3 "$T/poll.py" "$helper" "b$i.bench.c0-2-1.c0-2.c0.incus" "b$i.bench.incus" >"$T/p" &
  pp=$!
  t0=$("$forest" exec c0-2-1 -- sh -c "date +%s.%N; forest register-local-record --name b$i.bench.incus --target-name c0-2-1.incus >/dev/null" | head -n1)
  wait "$pp"
  since "$t0" "$(cat "$T/p")" >>"$T/reg"
done
"$forest" exec c0-2-1 -- sh -c "for i in \$(seq 1 $N); do forest unregister-local-record --name b\$i.bench.incus >/dev/null; done"

echo "(2) workload launched at depth 3 → host, $M runs"
: >"$T/launch"
for i in $(seq 1 "$M"); do
  python3 "$T/poll.py" "$helper" "bw$i.c0-2-1.c0-2.c0.incus" "bw$i.incus" >"$T/p" &
  pp=$!
  out=$("$forest" exec c0-2-1 -- sh -c "date +%s.%N; incus launch -q forest-workload bw$i >/dev/null 2>&1; date +%s.%N")
  t0=$(echo "$out" | sed -n 1p)
  t_run=$(echo "$out" | sed -n 2p)
  wait "$pp"
  r=$(since "$t0" "$(cat "$T/p")")
  python3 -c "import sys; a,b=[float(x) for x in sys.argv[1].split()]; d=float(sys.argv[3])-float(sys.argv[2]); print(a, b, a-d, b-d)" "$r" "$t0" "$t_run" >>"$T/launch"
  "$forest" exec c0-2-1 -- incus delete -f "bw$i" >/dev/null 2>&1
done

python3 - "$T/reg" "$T/launch" <<'PY'
import math, sys
def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]
def show(label, xs):
    xs = [x for x in xs if not math.isnan(x)]
    print(f"  {label:<48} p50 {pct(xs, 50)*1000:7.0f} ms   p99 {pct(xs, 99)*1000:7.0f} ms   (n={len(xs)})")
reg = [list(map(float, l.split())) for l in open(sys.argv[1])]
launch = [list(map(float, l.split())) for l in open(sys.argv[2])]
print("name propagation, depth 3 → helper (host resolver), same run:")
show("registered service: canonical name", [r[0] for r in reg])
show("registered service: short alias", [r[1] for r in reg])
show("launched workload: canonical, from launch start", [r[0] for r in launch])
show("launched workload: alias, from launch start", [r[1] for r in launch])
show("launched workload: canonical, from instance running", [r[2] for r in launch])
show("launched workload: alias, from instance running", [r[3] for r in launch])
bad = [r for r in reg + launch if any(math.isnan(x) for x in r)]
if bad:
    print(f"  {len(bad)} run(s) never resolved within 120 s", file=sys.stderr)
    sys.exit(1)
PY
