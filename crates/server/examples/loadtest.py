#!/usr/bin/env python3
"""Stdlib twin of examples/loadtest.rs (for machines without a Rust build at hand; NOT in CI).
N threads on keep-alive connections POST /api/v1/recommend for D seconds; one extra thread
sends malformed requests and checks each gets the expected JSON error code. Client overhead
(the GIL) is included in the latencies, so they are an upper bound.

usage: loadtest.py http://127.0.0.1:PORT [clients=50] [seconds=10]
"""
import http.client
import json
import random
import sys
import threading
import time

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765"
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 50
secs = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
host, port = base.replace("http://", "").rstrip("/").split(":")
port = int(port)
PROMPTS = ["", "darker but not slower", "more energy", "keep it rolling, same key",
           "switch genres, maybe techno", "a bit less energy, no vocals", "faster", "hypnotic and deep"]

c = http.client.HTTPConnection(host, port, timeout=30)
c.request("GET", "/api/v1/tracks?limit=500&sort=title")
page = json.loads(c.getresponse().read())
ids = [t["id"] for t in page["items"]]
print(f"library: {page['total']} tracks; {clients} clients for {secs:.0f} s against {base}")
deadline = time.time() + secs
lat, codes, lock = [], {}, threading.Lock()


def worker(k):
    r = random.Random(k)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    mine, mc = [], {}
    while time.time() < deadline:
        body = json.dumps({"current": r.choice(ids), "history": [], "prompt": r.choice(PROMPTS), "limit": 10})
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/recommend", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            mine.append((time.perf_counter() - t0) * 1000)
            mc[resp.status] = mc.get(resp.status, 0) + 1
        except Exception:
            mc[0] = mc.get(0, 0) + 1
            conn = http.client.HTTPConnection(host, port, timeout=30)
    with lock:
        lat.extend(mine)
        for k2, v in mc.items():
            codes[k2] = codes.get(k2, 0) + v


CASES = [
    ("POST", "/api/v1/recommend", '{"current":', "BAD_REQUEST"),
    ("POST", "/api/v1/recommend", '{"current":"nope"}', "TRACK_NOT_FOUND"),
    ("POST", "/api/v1/recommend", '{"current":"x","prompt":"' + "a" * 100000 + '"}', "PAYLOAD_TOO_LARGE"),
    ("GET", "/api/v1/tracks?bpm_min=fast", None, "BAD_REQUEST"),
    ("GET", "/api/v1/tracks/..%2F..%2Fetc%2Fpasswd/audio", None, "TRACK_NOT_FOUND"),
    ("DELETE", "/api/v1/tracks", None, "METHOD_NOT_ALLOWED"),
    ("POST", "/api/v1/intent", '{"prompt":"\\u0000"}', "INVALID_PROMPT"),
]
hostile = {"ok": 0, "n": 0, "bad": []}


def attacker():
    i = 0
    while time.time() < deadline:
        m, p, b, want = CASES[i % len(CASES)]
        i += 1
        try:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request(m, p, b, {"Content-Type": "application/json"} if b else {})
            got = json.loads(conn.getresponse().read())["error"]["code"]
            conn.close()
        except Exception as e:  # noqa: BLE001
            got = repr(e)
        hostile["n"] += 1
        if got == want:
            hostile["ok"] += 1
        elif len(hostile["bad"]) < 5:
            hostile["bad"].append(f"{m} {p[:60]}: wanted {want}, got {got}")
        time.sleep(0.005)


ts = [threading.Thread(target=worker, args=(k,)) for k in range(clients)] + [threading.Thread(target=attacker)]
for t in ts:
    t.start()
for t in ts:
    t.join()
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, round(p / 100 * (len(lat) - 1)))] if lat else float("nan")
print(f"recommend: {len(lat)} requests = {len(lat) / secs:.0f} req/s; status counts {codes}")
print(f"latency ms: p50 {pct(50):.1f}  p90 {pct(90):.1f}  p99 {pct(99):.1f}  max {lat[-1] if lat else float('nan'):.1f}")
print(f"malformed requests: {hostile['ok']}/{hostile['n']} answered with the expected JSON error code")
for b in hostile["bad"]:
    print("  unexpected:", b)
