#!/usr/bin/env bash
# bench/dns_vs_peers.sh [BUILD_DIR]: queries/s and latency of the helper's
# authoritative DNS (`forestd --role helper`) against dnsmasq and Unbound
# serving the same 1,000 AAAA records, in the same run, on this machine,
# printed side by side and as ratios (forestd/dnsmasq, forestd/unbound).
#
# How the figures are obtained:
#  1. A network namespace of our own (fb<hex>) with three addresses on its
#     loopback: fd00:f00d::53 (forestd, the plan's helper address), ::a1
#     (dnsmasq), ::a2 (Unbound), plus c0's uplink to publish from. Nothing
#     leaves the namespace; /etc/resolv.conf is never read or written.
#  2. 1,000 records wNNNN.c0.incus -> fd00:1000:0:1::1:<n> (inside c0's
#     fd00:1000::/20). forestd gets them the real way: c0 posts its export to
#     /v1/publish-root-registration from its uplink. dnsmasq gets them as an
#     --addn-hosts file, Unbound as local-data in a `static` local zone; both
#     with TTL 30 like forestd. All three answer from static in-memory tables:
#     none forwards or recurses (dnsmasq: --no-resolv, no --server,
#     --local=/incus/; Unbound: module-config iterator only, the zone is
#     static), so nothing is fetched or warms up during the run: dnsmasq's
#     hosts entries are permanent entries of its cache (outside --cache-size
#     and TTL expiry), Unbound answers local-data from its local zone.
#  3. Before any timing, every one of the 1,000 names is asked of every server
#     over UDP and must come back NOERROR with the expected AAAA (and an
#     unknown name NXDOMAIN); kdig shows a sample. A server answering
#     REFUSED/SERVFAIL fast would otherwise look like a win: fail loudly.
#  4. dnsperf (run inside the namespace) with the same query file (the 1,000
#     names, AAAA, in order, looped) against each server in turn, DURATION
#     seconds each (default 10):
#       load:  -c CLIENTS (10) -q OUTSTANDING (100), no rate limit: the
#              maximum queries/s; latency here is mostly queueing.
#       rate:  -c 1 -Q RATE (default 5000 qps), a rate all three sustain:
#              latency of one query on a server that is not saturated;
#              -v gives every query's latency, hence p50 and p99 (robust
#              against the few long stalls a busy machine adds to the mean).
#     ROUNDS (default 1) repeats both phases, rotating the server order; the
#     table shows the median per server. Servers are pinned to CPU 0 and
#     dnsperf to CPU 1 (PIN=0: no pinning); each server runs one thread
#     (forestd: its DNS io_context thread; dnsmasq: one process; Unbound num-threads 1).
#     SWEEP="10000 20000 ..." additionally runs each server open loop at those
#     -Q rates with -q SWEEP_OUTSTANDING (1000) outstanding, SWEEP_DURATION s
#     each (default 5), and prints the loss at each: the sustainable rate.
#     (With -q 100, as in the load phase, at most 100 queries wait in a
#     server's socket, which its default receive buffer -- 212992 bytes,
#     about 190 small datagrams -- always holds; open loop, a server that
#     stalls for a few ms overflows it and the kernel drops queries.)
#     HOLD=1 keeps the servers up after the checks for manual dnsperf runs.
#  5. Every dnsperf response must be NOERROR. The ratios are a report, not a
#     threshold: the script fails only when a server answers wrongly, dnsperf
#     does not run, or forestd loses more than 1% of its queries in any
#     load/rate run ("Queries lost"; lost counts are printed for all three).
set -euo pipefail

build=${1:-/work/main/build}
duration=${DURATION:-10}
rounds=${ROUNDS:-1}
clients=${CLIENTS:-10}
outstanding=${OUTSTANDING:-100}
rate=${RATE:-5000}
sweep=${SWEEP:-}
sweep_duration=${SWEEP_DURATION:-5}
sweep_outstanding=${SWEEP_OUTSTANDING:-1000}
pin=${PIN:-1}
unbound_bin=/usr/sbin/unbound
dnsmasq_bin=/usr/sbin/dnsmasq

die() { echo "dns_vs_peers: FAIL: $*" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then echo "dns_vs_peers: needs root (network namespaces)" >&2; exit 2; fi
for tool in "$unbound_bin" "$dnsmasq_bin" dnsperf kdig curl python3 ip taskset; do
  command -v "$tool" >/dev/null || { echo "dns_vs_peers: $tool not found; run scripts/setup" >&2; exit 2; }
done

T=$(mktemp -d /tmp/forest-dnsbench.XXXXXX)
ns="fb$(printf '%04x' $((RANDOM)))"
pids=()
made_ns=""
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$made_ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi   # only our own
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Our own copy: a concurrent rebuild of BUILD_DIR must not change the binary under us
# (while it is being relinked, wait up to a minute for a complete one).
for i in $(seq 1 60); do
  if [ -x "$build/forestd" ] && cp "$build/forestd" "$T/forestd" && "$T/forestd" --version >/dev/null 2>&1; then break; fi
  [ "$i" -lt 60 ] || { echo "dns_vs_peers: no working $build/forestd; build it with: ninja -C $build forestd" >&2; exit 2; }
  sleep 1
done

forestd_addr=fd00:f00d::53
uplink=fd00:f00d:0:1::1
dnsmasq_addr=fd00:f00d::a1
unbound_addr=fd00:f00d::a2
ip netns add "$ns"
made_ns=1
ip -n "$ns" link set lo up
for a in "$forestd_addr" "$uplink" "$dnsmasq_addr" "$unbound_addr"; do
  ip -n "$ns" addr add "$a/128" dev lo nodad
done
in_ns() { ip netns exec "$ns" "$@"; }
server_cpu=() client_cpu=()
if [ "$(nproc)" -lt 2 ]; then pin=0; fi
if [ "$pin" = 1 ]; then server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi

# --- the helper script: records, checks, report --------------------------------
cat >"$T/bench.py" <<'PY'
import ipaddress, json, os, re, socket, struct, sys

N = 1000

def records():
    return [(f"w{i:04d}.c0.incus", f"fd00:1000:0:1::1:{i:x}") for i in range(1, N + 1)]

def gen(t, unbound_addr):
    recs = records()
    export = {"schema": 1, "source_node": "c0",
              "records": [{"name": n, "address": a} for n, a in recs],
              "route": {"subtree": "fd00:1000::/20", "next_hop": "fd00:f00d:0:1::1",
                        "ready": True, "uplink_interface": "eth0"},
              "descendants": []}
    with open(f"{t}/export.json", "w") as f:
        json.dump(export, f)
    with open(f"{t}/hosts", "w") as f:
        f.writelines(f"{a} {n}\n" for n, a in recs)
    with open(f"{t}/queries", "w") as f:
        f.writelines(f"{n} AAAA\n" for n, _ in recs)
    with open(f"{t}/expected", "w") as f:
        f.writelines(f"{n} {a}\n" for n, a in recs)
    with open(f"{t}/unbound.conf", "w") as f:
        f.write(f"""server:
  interface: {unbound_addr}
  port: 53
  do-ip4: no
  do-tcp: yes
  num-threads: 1
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "{t}"
  pidfile: "{t}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  module-config: "iterator"
  access-control: ::/0 allow
  local-zone: "incus." static
""")
        f.writelines(f'  local-data: "{n}. 30 IN AAAA {a}"\n' for n, a in recs)
        f.write("remote-control:\n  control-enable: no\n")

def query(qid, name, qtype=28):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", qtype, 1)

def skip_name(m, i):
    while True:
        l = m[i]
        if l == 0:
            return i + 1
        if l & 0xC0 == 0xC0:
            return i + 2
        i += 1 + l

def ask(sock, addr, qid, name):
    """(rcode, aa, [AAAA addresses]) or None after 3 timeouts."""
    for _ in range(3):
        try:
            sock.sendto(query(qid, name), (addr, 53))
            while True:
                m, _ = sock.recvfrom(4096)
                if struct.unpack(">H", m[:2])[0] == qid:
                    break
        except socket.timeout:
            continue
        except OSError as e:
            sys.exit(f"dns_vs_peers: FAIL: cannot ask [{addr}]: {e}")
        flags, qd, an = struct.unpack(">HHH", m[2:8])
        i = 12
        for _ in range(qd):
            i = skip_name(m, i) + 4
        got = []
        for _ in range(an):
            i = skip_name(m, i)
            rtype, _, _, rdlen = struct.unpack(">HHIH", m[i:i + 10])
            i += 10
            if rtype == 28:
                got.append(str(ipaddress.IPv6Address(m[i:i + rdlen])))
            i += rdlen
        return flags & 0xF, bool(flags & 0x0400), got
    return None

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

def check(t, label, addr):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.settimeout(1)
    bad, aa = [], 0
    for qid, (name, want) in enumerate(records(), 1):
        if len(bad) >= 10:
            break  # enough to fail on; a dead server would otherwise take 3 s per name
        r = ask(sock, addr, qid, name)
        if r is None:
            bad.append(f"{name}: no answer")
            continue
        rcode, is_aa, got = r
        aa += is_aa
        if rcode != 0 or ipaddress.IPv6Address(want) not in map(ipaddress.IPv6Address, got):
            bad.append(f"{name}: {RCODES.get(rcode, rcode)} {got}, expected NOERROR {want}")
    r = ask(sock, addr, 0xFFFF, "nope.c0.incus")
    if r is None or r[0] != 3:
        bad.append(f"nope.c0.incus: {'no answer' if r is None else RCODES.get(r[0], r[0])}, expected NXDOMAIN")
    if bad:
        print(f"dns_vs_peers: FAIL: {label} at [{addr}] answered check queries wrongly (first {len(bad)}):",
              *bad[:10], sep="\n  ", file=sys.stderr)
        sys.exit(1)
    print(f"  {label:8} [{addr}]: all {N} names NOERROR with the right AAAA, unknown name NXDOMAIN; "
          f"aa flag on {aa}/{N}")

PAT = {
    "sent": r"Queries sent:\s+(\d+)",
    "completed": r"Queries completed:\s+(\d+)",
    "lost": r"Queries lost:\s+(\d+)",
    "qps": r"Queries per second:\s+([\d.]+)",
    "avg": r"Average Latency \(s\):\s+([\d.]+)",
    "min": r"Average Latency \(s\):.*\(min ([\d.]+)",
    "max": r"Average Latency \(s\):.*max ([\d.]+)\)",
    "sd": r"Latency StdDev \(s\):\s+([\d.]+)",
    "resp": r"Average packet size:.*response (\d+)",
    "run": r"Run time \(s\):\s+([\d.]+)",
}

def parse(path):
    text = open(path).read()
    r = {}
    for k, p in PAT.items():
        m = re.search(p, text)
        if not m:
            raise SystemExit(f"dns_vs_peers: FAIL: no '{k}' in dnsperf output {path}:\n{text}")
        r[k] = float(m.group(1))
    codes = re.search(r"Response codes:\s+(.*)", text)
    r["codes"] = codes.group(1).strip() if codes else "none"
    r["noerror"] = bool(re.fullmatch(r"NOERROR \d+ \(100(\.0+)?%\)", r["codes"]))
    # dnsperf -v: one "> RCODE NAME TYPE SECONDS" line per response (the rate phase)
    lat = sorted(float(l.split()[-1]) for l in text.splitlines() if l.startswith("> "))
    r["p50"] = lat[len(lat) // 2] if lat else None
    r["p99"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else None
    ticks, hz, user, system, wall, drops = open(path + ".cpu").read().split()
    r["drops"] = int(drops)                        # kernel drops at the server's socket (receive buffer full)
    r["server_cpu"] = int(ticks) / int(hz)        # CPU seconds the server used while dnsperf ran
    r["client_cpu"] = float(user) + float(system)  # CPU seconds dnsperf used
    r["wall"] = float(wall)                        # dnsperf's wall time (run + waiting for the last replies)
    return r

def report(t, phases, sweep_title):
    servers = ["forestd", "dnsmasq", "unbound"]
    runs = {}
    for f in sorted(os.listdir(f"{t}/runs")):
        if f.count(".") != 2:
            continue
        phase, rnd, server = f.split(".")
        runs.setdefault((phase, server), []).append(parse(f"{t}/runs/{f}"))
    failures = []
    med = {}
    for (phase, server), rs in runs.items():
        for r in rs:
            if r["completed"] == 0:
                failures.append(f"{server} ({phase}): no query completed")
            elif not r["noerror"]:
                failures.append(f"{server} ({phase}): responses were not all NOERROR: {r['codes']}")
            if server == "forestd" and phase in ("load", "rate") and r["lost"] > 0.01 * r["sent"]:
                failures.append(f"forestd ({phase}): lost {int(r['lost'])} of {int(r['sent'])} queries "
                                f"({100 * r['lost'] / r['sent']:.2f}% > 1%)")
        rs = sorted(rs, key=lambda r: r["qps"])
        med[(phase, server)] = rs[len(rs) // 2]
    for phase, title in phases:
        if not any((phase, s) in med for s in servers):
            continue
        print(f"\n{title}")
        print(f"  {'server':8} {'queries/s':>10} {'avg ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'min ms':>8} {'max ms':>8} {'sd ms':>8} "
              f"{'sent':>9} {'lost':>7} {'lost %':>7} {'buf drop':>8} {'srv CPU':>7} {'q/CPU-s':>8} {'dnsperf CPU':>11}  responses, size")
        for s in servers:
            r = med.get((phase, s))
            if not r:
                continue
            pct = lambda v: f"{1e3 * v:>8.3f}" if v is not None else f"{'-':>8}"
            print(f"  {s:8} {r['qps']:>10.0f} {1e3 * r['avg']:>8.3f} {pct(r['p50'])} {pct(r['p99'])} {1e3 * r['min']:>8.3f} "
                  f"{1e3 * r['max']:>8.3f} {1e3 * r['sd']:>8.3f} {int(r['sent']):>9} {int(r['lost']):>7} "
                  f"{100 * r['lost'] / max(r['sent'], 1):>7.2f} {r['drops']:>8} {100 * r['server_cpu'] / r['wall']:>6.0f}% "
                  f"{r['completed'] / max(r['server_cpu'], 0.01):>8.0f} {100 * r['client_cpu'] / r['wall']:>10.0f}%  "
                  f"{'all NOERROR' if r['noerror'] else r['codes']}, {int(r['resp'])} B")
        f = med.get((phase, "forestd"))
        for peer in ("dnsmasq", "unbound"):
            p = med.get((phase, peer))
            if f and p and p["qps"] > 0 and p["avg"] > 0:
                eff = lambda r: r["completed"] / max(r["server_cpu"], 0.01)
                med_lat = f", median latency {f['p50'] / p['p50']:.2f}" if f["p50"] and p["p50"] else ""
                print(f"  ratio forestd/{peer}: queries/s {f['qps'] / p['qps']:.2f}, "
                      f"average latency {f['avg'] / p['avg']:.2f}{med_lat}, queries per server CPU-second {eff(f) / eff(p):.2f}")
    rates = sorted({int(ph[5:]) for ph, _ in med if ph.startswith("sweep")})
    if rates:
        print(f"\n{sweep_title} (informational):\nqueries/s answered, lost % (of which dropped by the server's full receive buffer), average latency")
        print(f"  {'-Q':>7}" + "".join(f"  {s:>35}" for s in servers))
        for q in rates:
            cells = []
            for s in servers:
                r = med.get((f"sweep{q}", s))
                cells.append(f"{r['qps']:>7.0f} {100 * r['lost'] / max(r['sent'], 1):>6.2f}% "
                             f"({100 * r['drops'] / max(r['sent'], 1):>5.2f}%) {1e3 * r['avg']:>7.3f} ms" if r else "")
            print(f"  {q:>7}" + "".join(f"  {c:>35}" for c in cells))
    if failures:
        print("", *(f"dns_vs_peers: FAIL: {x}" for x in failures), sep="\n", file=sys.stderr)
        sys.exit(1)

cmd = sys.argv[1]
if cmd == "gen":
    gen(sys.argv[2], sys.argv[3])
elif cmd == "check":
    check(None, sys.argv[2], sys.argv[3])
elif cmd == "report":
    report(sys.argv[2], [tuple(p.split("=", 1)) for p in sys.argv[4:]], sys.argv[3])
PY
python3 "$T/bench.py" gen "$T" "$unbound_addr"

# --- forestd: plan, start, publish c0's export from its uplink ------------------
mkdir -p "$T/etc" "$T/state" "$T/runs"
cat >"$T/etc/topology.yaml" <<EOF
version: 1
name: $ns
roots:
  - name: c0
EOF
start_server() {  # start_server NAME CMD...: runs CMD in the namespace, pinned, logs to $T/NAME.log
  local name=$1; shift
  # ip netns exec and taskset exec the server: $! is the server's own pid (not a subshell's).
  ip netns exec "$ns" "${server_cpu[@]}" "$@" >"$T/$name.log" 2>&1 &
  pids+=($!)
}
wait_dns() {  # wait_dns NAME ADDR: until ADDR answers on port 53 (any rcode)
  for _ in $(seq 1 100); do
    in_ns kdig @"$2" +timeout=1 +retry=0 incus SOA >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$T/$1.log" >&2
  die "$1 does not answer on [$2]:53"
}
start_server forestd "$T/forestd" --role helper --dir "$T/etc" --state "$T/state" --root-lease-seconds 3600
for _ in $(seq 1 100); do
  in_ns curl -sf "http://[$forestd_addr]:8053/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
code=$(in_ns curl -s -o "$T/publish.reply" -w '%{http_code}' --interface "$uplink" -X POST \
  --data-binary "@$T/export.json" "http://[$forestd_addr]:8053/v1/publish-root-registration" || true)
[ "$code" = 200 ] || { cat "$T/forestd.log" "$T/publish.reply" >&2; die "forestd refused the export (HTTP $code)"; }

# --- dnsmasq: the same names from a hosts file, nothing upstream ----------------
start_server dnsmasq "$dnsmasq_bin" --no-daemon --conf-file=/dev/null --log-facility=- \
  --no-resolv --no-hosts --no-poll --port=53 --listen-address="$dnsmasq_addr" --bind-interfaces \
  --addn-hosts="$T/hosts" --local=/incus/ --local-ttl=30 --pid-file="$T/dnsmasq.pid"
# --- Unbound: local-data in a static zone, no remote control ---------------------
"$(dirname "$unbound_bin")/unbound-checkconf" "$T/unbound.conf" >/dev/null 2>"$T/checkconf.log" ||
  { cat "$T/checkconf.log" >&2; die "unbound-checkconf rejects $T/unbound.conf"; }
start_server unbound "$unbound_bin" -d -c "$T/unbound.conf"

wait_dns forestd "$forestd_addr"
wait_dns dnsmasq "$dnsmasq_addr"
wait_dns unbound "$unbound_addr"

echo "== every server answers every name correctly before timing"
for s in forestd:$forestd_addr dnsmasq:$dnsmasq_addr unbound:$unbound_addr; do
  name=${s%%:*} addr=${s#*:}
  for q in w0001.c0.incus w0500.c0.incus w1000.c0.incus; do
    reply=$(in_ns kdig @"$addr" +timeout=2 "$q" AAAA)
    status=$(sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$reply" | head -n1)
    answer=$(in_ns kdig @"$addr" +timeout=2 +short "$q" AAAA)
    printf '  kdig %-8s %s AAAA -> %s %s (%s)\n' "$name" "$q" "$status" "$answer" \
      "$(grep -o 'Flags: [a-z ]*' <<<"$reply" | head -n1)"
    if [ "$status" != NOERROR ] || [ -z "$answer" ]; then die "$name answered $q with [$status] [$answer]"; fi
  done
  in_ns python3 "$T/bench.py" check "$name" "$addr"
done

if [ -n "${HOLD:-}" ]; then   # for manual runs: ip netns exec NS dnsperf -s ADDR -d T/queries ...
  echo "HOLD: namespace $ns, forestd [$forestd_addr], dnsmasq [$dnsmasq_addr], unbound [$unbound_addr]," \
    "queries $T/queries; Ctrl-C (or kill $$) cleans up"
  sleep infinity &
  pids+=($!)
  wait $!
fi

# --- timing -----------------------------------------------------------------------
alive() { [ -e "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, clock ticks
rcvbuf_drops() {  # datagrams the kernel dropped because the server's UDP socket buffer was full
  in_ns ss -uanmH src "[$(addr_of "$1")]:53" | grep -o 'd[0-9]*)' | tr -dc '0-9'
}
perf() {  # perf SERVER FILE DNSPERF_ARGS...: dnsperf against SERVER into FILE; CPU and drops in FILE.cpu
  local server=$1 out=$2 pid cpu0 drops0 rc=0 u s w TIMEFORMAT="%U %S %R"; shift 2
  pid=$(pid_of "$server")
  cpu0=$(cpu_ticks "$pid") drops0=$(rcvbuf_drops "$server")
  { time in_ns "${client_cpu[@]}" dnsperf -s "$(addr_of "$server")" -d "$T/queries" -t 5 "$@" >"$out" 2>&1 || rc=$?; } 2>"$out.time"
  alive "$pid" || { cat "$T/$server.log" >&2; die "$server died while dnsperf ran"; }
  [ "$rc" -eq 0 ] || { cat "$out" >&2; die "dnsperf against $server failed (exit $rc)"; }
  read -r u s w <"$out.time"   # dnsperf's user, system and wall seconds
  # server CPU ticks, ticks per second, dnsperf user s, system s, wall s, socket buffer drops
  echo "$(( $(cpu_ticks "$pid") - cpu0 )) $(getconf CLK_TCK) $u $s $w $(( $(rcvbuf_drops "$server") - drops0 ))" >"$out.cpu"
}
addr_of() { case $1 in forestd) echo "$forestd_addr" ;; dnsmasq) echo "$dnsmasq_addr" ;; unbound) echo "$unbound_addr" ;; esac; }
pid_of() { case $1 in forestd) echo "${pids[0]}" ;; dnsmasq) echo "${pids[1]}" ;; unbound) echo "${pids[2]}" ;; esac; }
order=(forestd dnsmasq unbound)
load_avg=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  for s in "${order[@]}"; do
    echo "== round $r: $s, load (-c $clients -q $outstanding, ${duration} s)"
    perf "$s" "$T/runs/load.$r.$s" -l "$duration" -c "$clients" -q "$outstanding"
  done
  for s in "${order[@]}"; do
    echo "== round $r: $s, fixed rate (-c 1 -Q $rate, ${duration} s)"
    perf "$s" "$T/runs/rate.$r.$s" -l "$duration" -c 1 -Q "$rate" -v
  done
  order=("${order[@]:1}" "${order[0]}")   # next round starts with the next server
done
for q in $sweep; do
  for s in forestd dnsmasq unbound; do
    echo "== sweep: $s at -Q $q -q $sweep_outstanding (${sweep_duration} s)"
    perf "$s" "$T/runs/sweep$q.1.$s" -l "$sweep_duration" -c "$clients" -q "$sweep_outstanding" -Q "$q"
  done
done
# forestd's own view of the run: queries it read vs responses dnsperf counted.
in_ns curl -s "http://[$forestd_addr]:8053/metrics" | grep -E '^forestd_dns_(queries_total\{transport="udp"|dropped)' |
  sed 's/^/  forestd metrics: /' >"$T/metrics" || true

echo
echo "dns_vs_peers: forestd --role helper ($("$T/forestd" --version 2>&1 | head -n1), $build)"
echo "  vs $("$dnsmasq_bin" --version | head -n1 | cut -d' ' -f1-3) and $("$unbound_bin" -V | head -n1 | sed 's/Version/Unbound/'), $(dnsperf -h 2>&1 | grep -m1 Version | sed 's/Version/dnsperf/')"
echo "  1,000 AAAA records (wNNNN.c0.incus), the same in all three; all answered from memory, none forwards"
echo "  machine: $(nproc) cores, load average before timing $load_avg (the machine may be busy otherwise);"
echo "  servers and dnsperf in one network namespace ($ns), loopback, IPv6 UDP; $( [ "$pin" = 1 ] && echo 'servers pinned to CPU 0, dnsperf to CPU 1' || echo 'no CPU pinning'); one server thread each"
echo "  dnsperf: the 1,000 names in order, looped; ${duration} s per run; -t 5; median of $rounds round(s)"
cat "$T/metrics"
python3 "$T/bench.py" report "$T" \
  "open-loop sweep: dnsperf -c $clients -q $sweep_outstanding -Q RATE, ${sweep_duration} s each" \
  "load=throughput: dnsperf -c $clients -q $outstanding, no rate limit (latency is mostly queueing)" \
  "rate=latency at a fixed rate: dnsperf -c 1 -Q $rate -v (p50/p99 from the per-query latencies)"
echo "dns_vs_peers: OK"
