#!/usr/bin/env python3
"""One native session, many short turns: client wall time per turn and the server's live heap after a full GC.

Usage: bench/session-turns.py --url http://localhost:8080 --pid SERVER_PID [--turns 10000] [--sinks 4 --window 252]
Each turn posts a short user message (about 10 tokens) with max_tokens 30 (about 40 tokens per turn) and reads
the SSE stream to its final event; the time from sending the request to that event is the turn's wall time. At
--heap-at and at the end it runs `jcmd PID GC.run` then `jcmd PID GC.heap_info` and prints the used heap.
Prints one JSON line per milestone and a summary; stdlib only.
"""
import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import time
from urllib.parse import urlparse

MESSAGES = ["Tell me more.", "What did the dog do?", "And then what happened?", "Who came to the park?",
            "Why was she sad?", "What did they eat?", "Where did the cat go?", "How did it end?"]


def live_heap_kib(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, capture_output=True)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], check=True, capture_output=True, text=True).stdout
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) if m else None, out.strip().splitlines()[1:3]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="http://localhost:8080")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--turns", type=int, default=10000)
    p.add_argument("--sinks", type=int, default=4)
    p.add_argument("--window", type=int, default=252)
    p.add_argument("--max-tokens", type=int, default=30)
    p.add_argument("--heap-at", type=int, default=1000)
    a = p.parse_args()
    u = urlparse(a.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    headers = {"Content-Type": "application/json"}
    conn.request("POST", "/v1/sessions", json.dumps({"sinks": a.sinks, "window": a.window}), headers)
    r = conn.getresponse()
    session = json.loads(r.read())["id"]
    walls, server, rebuilt = [], [], 0
    heap = {}
    for turn in range(1, a.turns + 1):
        body = json.dumps({"content": MESSAGES[turn % len(MESSAGES)], "max_tokens": a.max_tokens, "seed": turn,
                           "temperature": 0.8})
        t0 = time.perf_counter()
        conn.request("POST", "/v1/sessions/%s/messages" % session, body, headers)
        r = conn.getresponse()
        data = r.read().decode()
        wall = time.perf_counter() - t0
        if r.status != 200 or "event: done" not in data:
            print("turn %d failed: %d %s" % (turn, r.status, data[-300:]), file=sys.stderr)
            sys.exit(1)
        done = json.loads(data.split("event: done\ndata: ", 1)[1].split("\n", 1)[0])
        walls.append(wall * 1000)
        server.append(done["timings"]["duration_ms"])
        rebuilt += 1 if done["rebuilt"] else 0
        if turn == a.heap_at or turn == a.turns:
            used, lines = live_heap_kib(a.pid)
            conn.request("GET", "/v1/sessions/" + session)
            info = json.loads(conn.getresponse().read())
            heap[turn] = used
            print(json.dumps({"turn": turn, "live_heap_kib": used, "tokens_seen": info["tokens_seen"],
                              "session_heap_bytes": info["heap_bytes"], "cache_bytes": info["cache"]["bytes"],
                              "heap_info": lines}), flush=True)
        if turn % 500 == 0:
            print(json.dumps({"turn": turn, "median_wall_ms_last_500": round(statistics.median(walls[-500:]), 2),
                              "median_server_ms_last_500": round(statistics.median(server[-500:]), 2)}), flush=True)
    early = walls[99:600]
    late = walls[-500:]
    print(json.dumps({"turns": a.turns, "session": session, "rebuilt_turns": rebuilt,
                      "median_wall_ms_turns_100_600": round(statistics.median(early), 2),
                      "median_wall_ms_last_500": round(statistics.median(late), 2),
                      "ratio": round(statistics.median(late) / statistics.median(early), 3),
                      "median_server_ms_turns_100_600": round(statistics.median(server[99:600]), 2),
                      "median_server_ms_last_500": round(statistics.median(server[-500:]), 2),
                      "live_heap_kib": heap}), flush=True)


if __name__ == "__main__":
    main()
