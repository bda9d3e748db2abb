#!/usr/bin/env python3
"""Idle TCP connection flood against one of our own listeners (tests only).

conn_flood.py --host H --port P --count N [--source ADDR ...] [--seconds S]
              [--reopen-after S] [--status FILE]

Keeps N connections to H:P open that send nothing, spread round-robin over
the source addresses (default: the kernel's choice). A connection the server
closes or answers (e.g. 503 "too many connections") counts as refused and is
opened again after --reopen-after seconds, so the pressure stays for the
whole run. Prints one JSON line when every slot has been tried once
("ready"), then writes the same counters to --status every second and
prints them again at the end:
  open: connections established and still open now
  refused: closed or answered by the server without a request, ever
  answered: how many of those got an HTTP 503 first
  failed: connects that did not complete (error or timeout)
"""
import argparse, json, os, resource, selectors, socket, sys, time

p = argparse.ArgumentParser()
p.add_argument("--host", required=True)
p.add_argument("--port", type=int, required=True)
p.add_argument("--count", type=int, required=True)
p.add_argument("--source", action="append", default=[])
p.add_argument("--seconds", type=float, default=30)
p.add_argument("--reopen-after", type=float, default=1.0)
p.add_argument("--status", default="")
a = p.parse_args()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
if hard < a.count + 64:
    sys.exit(f"conn_flood: need {a.count + 64} file descriptors, the hard limit is {hard}")

family = socket.AF_INET6 if ":" in a.host else socket.AF_INET
sources = a.source or [""]
sel = selectors.DefaultSelector()
state = {}      # slot -> ("connecting" | "open", socket, since)
due = {}        # slot -> time to open again
stats = {"open": 0, "refused": 0, "answered": 0, "failed": 0}
tried = set()


def open_slot(i, now):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setblocking(False)
    src = sources[i % len(sources)]
    if src:
        s.bind((src, 0))
    s.connect_ex((a.host, a.port))
    sel.register(s, selectors.EVENT_WRITE, i)
    state[i] = ("connecting", s, now)


def drop(i, now, counter):
    kind, s, _ = state.pop(i)
    if kind == "open":
        stats["open"] -= 1
    sel.unregister(s)
    s.close()
    stats[counter] += 1
    due[i] = now + a.reopen_after


def report(tag):
    line = json.dumps(dict(stats, event=tag))
    if a.status:
        with open(a.status + ".tmp", "w") as f:
            f.write(line + "\n")
        os.replace(a.status + ".tmp", a.status)
    return line


start = time.monotonic()
for i in range(a.count):
    open_slot(i, start)
ready = False
last = 0.0
while True:
    now = time.monotonic()
    if now - start > a.seconds:
        break
    for key, events in sel.select(timeout=0.1):
        i, s = key.data, key.fileobj
        kind = state[i][0]
        if kind == "connecting":
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            tried.add(i)
            if err:
                drop(i, now, "failed")
                continue
            state[i] = ("open", s, now)
            stats["open"] += 1
            sel.modify(s, selectors.EVENT_READ, i)
        else:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data.startswith(b"HTTP/1.1 503"):
                stats["answered"] += 1
            drop(i, now, "refused")
    for i, (kind, s, since) in list(state.items()):
        if kind == "connecting" and now - since > 5:
            tried.add(i)
            drop(i, now, "failed")
    for i, t in list(due.items()):
        if t <= now:
            del due[i]
            open_slot(i, now)
    if not ready and len(tried) == a.count and now - start > 0.5:
        ready = True
        print(report("ready"), flush=True)
    if now - last >= 1:
        last = now
        report("status")
print(report("end"), flush=True)
