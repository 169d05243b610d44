#!/usr/bin/env python3
"""Load test of `campfire serve` (the HTTP side): a room of 300 connections.

    python3 bench/serve_load.py                    # cargo build --release, then measure
    python3 bench/serve_load.py --no-build --campfire /tmp/campfire-old
    python3 bench/serve_load.py --duration 5       # quicker wrk runs

Serves the demo site at the repository root (the server builds it into
public/ first) on a free port and runs, one after the other:

1. `wrk -c200` on `/` and on a stylesheet (`--latency`: the median);
2. 300 live-reload (SSE) clients held open while `wrk -c200` runs on `/`:
   how many were accepted (200) and got their `hello` event, and how many
   are still open after the load;
3. 70 clients that request a 4 MB file and never read it, while a probe
   fetches `/` 20 times (5 s timeout each);
4. 100 clients that request a 5 MB HTML page (a long list page of a big
   site; the live-reload script is injected into it) and never read it;
5. one request with a 64 MB header; the server's memory before and after.

During each step it samples the server's thread count and resident memory
(/proc, Linux only). Needs wrk (`apt-get install -y wrk`) and python3.
The report is printed and written to bench/results/serve_load.md (git-ignored).
Exit status 0 whatever the figures (a measurement, not a test); 1 if a tool
or the server fails.
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sampler:
    """Peak threads and RSS of a process while a step runs."""

    def __init__(self, pid):
        self.pid, self.threads, self.rss_kb, self.stop = pid, 0, 0, False

    def read(self):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                text = f.read()
        except OSError:
            return 0, 0
        threads = int(re.search(r"Threads:\s+(\d+)", text).group(1))
        rss = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))
        return threads, rss

    def run(self):
        while not self.stop:
            t, r = self.read()
            self.threads, self.rss_kb = max(self.threads, t), max(self.rss_kb, r)
            time.sleep(0.05)

    def __enter__(self):
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join()


def get(port, path, timeout=5.0, extra=b""):
    """One GET on a fresh connection: (status or None, seconds)."""
    t0 = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode() + extra
                      + b"Connection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
            return status, time.perf_counter() - t0
    except (OSError, ValueError, IndexError):
        return None, time.perf_counter() - t0


def wrk(port, path, duration, connections=200):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    median = re.search(r"50%\s+([\d.]+\w+)", out)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
        "median": median.group(1) if median else "?",
    }


def open_sse(port, n):
    """n event streams: [(socket, status, saw `hello`)]; socket None if refused."""
    socks, streams = [], []
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(f"GET /__campfire/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Accept: text/event-stream\r\n\r\n".encode())
            socks.append(s)
        except OSError:
            streams.append((None, None, False))
    for s in socks:
        buf = b""
        deadline = time.time() + 10
        try:
            while b"\r\n\r\n" not in buf or (buf.startswith(b"HTTP/1.1 200") and b'"hello"' not in buf):
                if time.time() > deadline:
                    break
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
        status = int(buf.split(b" ", 2)[1]) if buf.startswith(b"HTTP/") else None
        streams.append((s, status, b'"hello"' in buf))
    return streams


def stalled_readers(port, path, n):
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            socks.append(s)
        except OSError:
            pass
    return socks


def huge_header(port, size):
    """Sends a header of `size` bytes; returns the status read (or None)."""
    result = {}

    def read_reply(s):
        try:
            data = s.recv(4096)
            result["status"] = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
        except (OSError, ValueError, IndexError):
            result["status"] = None

    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    reader = threading.Thread(target=read_reply, args=(s,))
    reader.start()
    try:
        s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: ".encode())
        block = b"a" * (1 << 20)
        for _ in range(size >> 20):
            s.sendall(block)
        s.sendall(b"\r\n\r\n")
    except OSError:
        pass  # the server stopped reading: expected once it has answered
    reader.join(30)
    s.close()
    return result.get("status")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--campfire", default=os.path.join(ROOT, "target/release/campfire"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    port = free_port()
    log = open(os.path.join("/tmp", f"campfire-serve-{port}.log"), "w")
    server = subprocess.Popen([args.campfire, "serve", "--root", ROOT, "--port", str(port)],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    report = []
    try:
        deadline = time.time() + 300
        while get(port, "/", timeout=2)[0] != 200:
            if server.poll() is not None or time.time() > deadline:
                sys.exit(f"the server did not start; see {log.name}")
            time.sleep(0.5)
        public = os.path.join(ROOT, "public")
        css = next(os.path.relpath(os.path.join(d, f), public)
                   for d, _, files in sorted(os.walk(public)) for f in sorted(files)
                   if f.endswith(".css"))
        css = "/" + css.replace(os.sep, "/")
        big = "/bench-4mb.bin"
        with open(os.path.join(public, big[1:]), "wb") as f:
            f.write(os.urandom(4 << 20))
        page = "/bench-5mb.html"
        with open(os.path.join(public, page[1:]), "w") as f:
            f.write("<!doctype html><html><body>\n")
            f.write("<p>A story card with a title and a summary line.</p>\n" * 100000)
            f.write("</body></html>\n")
        sampler = Sampler(server.pid)
        idle_threads, idle_rss = sampler.read()
        report.append(f"binary: {args.campfire}  port {port}  wrk {args.duration}s  "
                      f"idle: {idle_threads} threads, {idle_rss // 1024} MB RSS\n")
        report.append("| step | requests | req/s | median | non-2xx | socket errors "
                      "| extra | peak threads | peak RSS MB |")
        report.append("|---|---|---|---|---|---|---|---|---|")

        def row(step, w, extra, s):
            report.append(f"| {step} | {w.get('requests', '-')} | {w.get('rps', '-')} "
                          f"| {w.get('median', '-')} | {w.get('non2xx', '-')} "
                          f"| {w.get('socket_errors', '-')} | {extra} | {s.threads} "
                          f"| {s.rss_kb // 1024} |")
            print(report[-1], flush=True)

        for name, path in [("wrk -c200 /", "/"), (f"wrk -c200 {css}", css)]:
            with Sampler(server.pid) as s:
                w = wrk(port, path, args.duration)
            row(name, w, "", s)

        with Sampler(server.pid) as s:
            streams = open_sse(port, 300)
            w = wrk(port, "/", args.duration)
            ok = sum(1 for _, st, _ in streams if st == 200)
            refused = sum(1 for _, st, _ in streams if st == 503)
            failed = len(streams) - ok - refused
            hellos = sum(1 for _, _, hello in streams if hello)
            # The accepted streams are still open after the load (a
            # heartbeat or nothing to read, but no end of stream).
            alive = 0
            for sock, status, _ in streams:
                if sock is None:
                    continue
                sock.setblocking(False)
                try:
                    alive += status == 200 and sock.recv(65536) != b""
                except BlockingIOError:
                    alive += status == 200
                except OSError:
                    pass
                sock.close()
        row("300 SSE + wrk -c200 /", w,
            f"SSE: {ok} ok, {refused}x503, {failed} failed, {hellos} hello, {alive} open after", s)

        with Sampler(server.pid) as s:
            socks = stalled_readers(port, big, 70)
            time.sleep(1)
            probes = [get(port, "/", timeout=5) for _ in range(20)]
            for sock in socks:
                sock.close()
        good = [t for st, t in probes if st == 200]
        median = f"{statistics.median(good) * 1000:.1f}ms" if good else "-"
        row("70 stalled 4 MB readers", {"requests": 20, "median": median,
                                        "non2xx": 20 - len(good)},
            f"probe GET /: {len(good)}/20 answered", s)

        time.sleep(1)
        with Sampler(server.pid) as s:
            socks = stalled_readers(port, page, 100)
            time.sleep(2)
            probes = [get(port, "/", timeout=5) for _ in range(20)]
            for sock in socks:
                sock.close()
        good = [t for st, t in probes if st == 200]
        median = f"{statistics.median(good) * 1000:.1f}ms" if good else "-"
        row("100 stalled 5 MB page readers", {"requests": 20, "median": median,
                                              "non2xx": 20 - len(good)},
            f"probe GET /: {len(good)}/20 answered", s)

        time.sleep(3)  # let closed connections go
        before = sampler.read()[1]
        with Sampler(server.pid) as s:
            status = huge_header(port, 64 << 20)
        time.sleep(3)
        after = sampler.read()[1]
        answer = get(port, "/")[0]
        row("one 64 MB header", {}, f"status {status}; RSS {before // 1024} -> {after // 1024} MB "
            f"(3 s later); GET / then: {answer}", s)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    text = "\n".join(report) + "\n"
    print(text)
    os.makedirs(os.path.join(ROOT, "bench/results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench/results/serve_load.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
