#!/usr/bin/env python3
"""Save -> reload-event latency of `campfire serve` (a quality bar of SPEC.md).

Start the server on a corpus first, e.g.
    target/release/campfire serve --root bench/corpus/10000 --port 1198
then run
    python3 bench/reload_time.py 1198 bench/corpus/10000 7
It opens the live-reload event stream, edits one story at a time (story-00100,
story-00101, ...), and times each write until the server announces the reload.
Prints each figure and the median, in milliseconds. The edits stay in the
corpus; regenerate it (or `git`-free: rerun gen_corpus.py) to undo them.
"""
import socket
import statistics
import sys
import time


def main():
    port, root, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    times = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(f"GET /__campfire/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  "Accept: text/event-stream\r\n\r\n".encode())
        buf = b""
        while b'"hello"' not in buf:
            buf += s.recv(65536)
        path = f"{root}/content/stories/story-{i + 100:05d}.md"
        text = open(path, encoding="utf-8").read()
        t0 = time.perf_counter()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("\n\n", f"\n\nEdit {i} at {time.time()}.\n\n", 1))
        buf = b""
        while b'"reload"' not in buf:
            buf += s.recv(65536)
        times.append((time.perf_counter() - t0) * 1000)
        s.close()
        time.sleep(1.5)  # let the background search index settle
    print("save -> reload event ms:", [round(t) for t in times],
          "median", round(statistics.median(times)))


if __name__ == "__main__":
    main()
