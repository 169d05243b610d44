#!/usr/bin/env python3
"""How fast a slide change reaches a room: `campfire serve --room` with 50
followers on loopback.

    python3 bench/room_latency.py                  # cargo build --release, then measure
    python3 bench/room_latency.py --followers 200 --moves 200
    python3 bench/room_latency.py --no-build --campfire /tmp/campfire-old

Copies the fixture site (tests/fixtures/basic) to a temporary folder and
serves it with `--room --bind 127.0.0.1` on a free port. It reads the
presenter's key from what the server prints, opens N follower streams
(`GET /__campfire/room/events`, Server-Sent Events, each on its own
socket), then moves the room M times as the presenter does
(`POST /__campfire/room/go` with the presenter's cookie, on one kept-alive
connection), waiting after each move until every follower has the event.

One thread does everything with a selector, so a delay is measured from the
moment the move is sent to the moment that follower's event arrives: the
median and the worst over every (move, follower) pair, and the median and
worst per move of the slowest follower. The target is under 200 ms on
loopback. Exit status 0 whatever the figures (a measurement, not a test); 1
if the server or a stream fails. Traffic goes to 127.0.0.1 only.
"""
import argparse
import json
import os
import re
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DECK = "stories/snowed-in/index.html"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary, site, port):
    proc = subprocess.Popen(
        [binary, "serve", "--root", site, "--port", str(port), "--room", "--bind", "127.0.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    out = ""
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        out += line
        m = re.search(r"/room/\?key=([0-9a-f]+)", out)
        if m and "press Ctrl+C" in out:
            return proc, m.group(1)
    proc.kill()
    sys.exit(f"the server did not start:\n{out}")


def follower(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(f"GET /__campfire/room/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    s.setblocking(False)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--followers", type=int, default=50)
    ap.add_argument("--moves", type=int, default=100)
    ap.add_argument("--campfire", default=os.path.join(ROOT, "target", "release", "campfire"))
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    site = tempfile.mkdtemp(prefix="campfire-room-bench-")
    shutil.copytree(os.path.join(ROOT, "tests", "fixtures", "basic"), site, dirs_exist_ok=True)
    port = free_port()
    proc, key = start_server(args.campfire, site, port)
    sel = selectors.DefaultSelector()
    buffers = {}
    try:
        streams = [follower(port) for _ in range(args.followers)]
        for s in streams:
            buffers[s] = b""
            sel.register(s, selectors.EVENT_READ)
        presenter = socket.create_connection(("127.0.0.1", port))
        presenter.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        presenter_buf = b""

        def read_events(until, want_seq):
            """Reads streams until every follower has event `want_seq`;
            returns {socket: arrival time}."""
            arrived = {}
            while len(arrived) < len(streams):
                timeout = until - time.perf_counter()
                if timeout <= 0:
                    raise SystemExit(f"only {len(arrived)} of {len(streams)} followers got move {want_seq}")
                for key_, _ in sel.select(timeout):
                    s = key_.fileobj
                    now = time.perf_counter()
                    try:
                        chunk = s.recv(65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        raise SystemExit("a follower's stream closed")
                    buffers[s] += chunk
                    while b"\n\n" in buffers[s]:
                        event, buffers[s] = buffers[s].split(b"\n\n", 1)
                        for line in event.split(b"\n"):
                            if line.startswith(b"data: "):
                                data = json.loads(line[6:])
                                if data.get("seq") == want_seq and s not in arrived:
                                    arrived[s] = now
            return arrived

        # Every follower has the room's position (seq 0) before the first move.
        read_events(time.perf_counter() + 10, 0)
        delays = []
        slowest = []
        for move in range(1, args.moves + 1):
            slide = move % 40 + 1
            request = (
                f"POST /__campfire/room/go?deck={DECK}&slide={slide} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nCookie: campfire_room_{port}={key}\r\n"
                "Content-Length: 0\r\n\r\n"
            ).encode()
            sent = time.perf_counter()
            presenter.sendall(request)
            arrived = read_events(sent + 5, move)
            per_move = [(t - sent) * 1000 for t in arrived.values()]
            delays.extend(per_move)
            slowest.append(max(per_move))
            # The presenter's 204.
            while b"\r\n\r\n" not in presenter_buf:
                presenter_buf += presenter.recv(4096)
            head, presenter_buf = presenter_buf.split(b"\r\n\r\n", 1)
            if not head.startswith(b"HTTP/1.1 204"):
                raise SystemExit(f"the move was refused: {head.decode(errors='replace')}")
            time.sleep(0.02)
        delays.sort()
        p95 = delays[int(len(delays) * 0.95) - 1]
        print(f"campfire serve --room on loopback: {args.followers} followers, {args.moves} slide changes")
        print(f"  delay from the move to each follower's event ({len(delays)} deliveries):")
        print(f"    median {statistics.median(delays):.2f} ms, p95 {p95:.2f} ms, worst {delays[-1]:.2f} ms")
        print(f"  per move, the last follower to get it: median {statistics.median(slowest):.2f} ms, worst {max(slowest):.2f} ms")
        print(f"  target: under 200 ms -> {'met' if delays[-1] < 200 else 'NOT met'}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main()
