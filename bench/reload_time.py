#!/usr/bin/env python3
"""Save -> reload-event latency of `campfire serve` (a quality bar of SPEC.md).

Start the server on a corpus first, e.g.
    target/release/campfire serve --root bench/corpus/10000 --port 1198
then run
    python3 bench/reload_time.py 1198 bench/corpus/10000 7
It opens the live-reload event stream, edits one story at a time (story-00100,
story-00101, ...), and times each write until the server announces the reload.
Then it does the same for a glossary term's own text (its page alone shows
it) and for its tooltip text (`short:`), with `--term SLUG` (default: huddle,
the corpus's most mentioned term), which every story mentioning it shows.
Prints each figure and the median, in milliseconds, and how many files each
reload named. The edits stay in the corpus; regenerate it (rerun
gen_corpus.py) to undo them.

With `--site-yaml`, it edits site.yaml instead, N times each: the site's
title and a department's name (both change every page), which rebuilds the
whole site. Compare with a cold `campfire build` of the same corpus.

`python3 bench/reload_time.py --startup BINARY CORPUS PORT N` times `serve`
starting up instead, N times, alternated with N cold builds (see
`startup`): until 'Serving' is printed, the home page is answered, and the
search index is (the complete site).
"""
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def timed_edit(port, path, edit):
    """Writes `edit(text)` to `path`; returns (ms to the reload event, files named)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(f"GET /__campfire/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
              "Accept: text/event-stream\r\n\r\n".encode())
    buf = b""
    while b'"hello"' not in buf:
        buf += s.recv(65536)
    text = open(path, encoding="utf-8").read()
    t0 = time.perf_counter()
    with open(path, "w", encoding="utf-8") as f:
        f.write(edit(text))
    buf = b""
    while b'"reload"' not in buf:
        buf += s.recv(65536)
    ms = (time.perf_counter() - t0) * 1000
    # Read the rest of the event (`data: {...}` up to a blank line): the
    # files it names as changed.
    start = buf.rindex(b"data: ", 0, buf.index(b'"reload"'))
    while b"\n\n" not in buf[start:]:
        buf += s.recv(65536)
    s.close()
    event = json.loads(buf[start + 6:buf.index(b"\n", start)])
    return ms, len(event.get("changed", []))


def report(what, samples):
    times = [t for t, _ in samples]
    print(f"{what}: save -> reload event ms:", [round(t) for t in times],
          "median", round(statistics.median(times)),
          "| files named per reload:", [n for _, n in samples])


def site_yaml_edits(port, root, n):
    """site.yaml edits: the site's title (in every page's chrome) and a
    department's name (on every page that names it, and in every list)."""
    path = f"{root}/site.yaml"
    # Each run's values differ from the last run's (the edits stay in the
    # corpus): a save that changes nothing reloads nothing, and the wait for
    # its reload would never end.
    run = os.getpid()
    titles, departments = [], []
    for i in range(n):
        titles.append(timed_edit(port, path, lambda t, i=i: re.sub(
            r'(?m)^title: .*$', f'title: "Campfire benchmark corpus, edit {run}.{i}"', t, count=1)))
        time.sleep(8)  # let the background search index settle
    report("site.yaml title", titles)
    for i in range(n):
        departments.append(timed_edit(port, path, lambda t, i=i: re.sub(
            r'name: "Logistics[^"]*"', f'name: "Logistics {run}.{i}"', t, count=1)))
        time.sleep(8)
    report("site.yaml department name", departments)


def get_status(port, path):
    """GET `path`; the response's status (waits as long as the server does)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=300)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
              "Connection: close\r\n\r\n".encode())
    buf = b""
    while True:
        data = s.recv(65536)
        if not data:
            break
        buf += data
    s.close()
    return int(buf.split(b" ", 2)[1])


def cpu_seconds(pid):
    """User + system CPU of process `pid` so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle():
    """Lets the file system finish what earlier runs (and the copy just
    made) left to write, so that each timed run starts from the same
    state. Without it, each run inherited the unwritten data and journal of
    the one before: hundreds of MB a run, growing to 4 GB over a
    measurement, so a run later in a round waited more for the disk than
    the one before it (serve, always second in its round then: 1.09x its
    round's build on one measurement, 1.02x with serve first)."""
    os.sync()
    time.sleep(0.5)


def startup(binary, corpus, port, n):
    """`serve` from process start until a browser gets the complete site:
    the home page, and the search index (`search/manifest.js`, which
    `serve` answers only once the whole index is written), each run on a
    fresh copy of the corpus without an output; alternated with a cold
    `build` of another fresh copy, the same number of times. Each round
    runs one of each, the build first in even rounds and serve first in
    odd ones, each after `settle()`. Copies are made beside the corpus and
    removed only at the end (deleting many files just before creating many
    slows ext4 down)."""
    copies = []

    def fresh_copy(tag, k):
        path = f"{corpus.rstrip('/')}-{tag}-{k}"
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(corpus, path, ignore=shutil.ignore_patterns("public"))
        copies.append(path)
        settle()
        return path

    serving, page, complete, cpu, build, build_cpu = [], [], [], [], [], []

    def cold_build(k):
        root = fresh_copy("build", k)
        t0 = time.perf_counter()
        before = os.times()
        subprocess.run([binary, "build", "--root", root], check=True,
                       stdout=subprocess.DEVNULL)
        build.append(time.perf_counter() - t0)
        after = os.times()
        build_cpu.append(after.children_user - before.children_user
                         + after.children_system - before.children_system)

    def serve(k):
        root = fresh_copy("serve", k)
        errors = tempfile.TemporaryFile(mode="w+")
        t0 = time.perf_counter()
        server = subprocess.Popen([binary, "serve", "--root", root, "--port", str(port)],
                                  stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            while "Serving" not in (line := server.stdout.readline()):
                if not line:
                    errors.seek(0)
                    sys.exit(f"serve stopped before serving:\n{errors.read()}")
            serving.append(time.perf_counter() - t0)
            for path, times in [("/", page), ("/search/manifest.js", complete)]:
                status = get_status(port, path)
                if status != 200:
                    errors.seek(0)
                    sys.exit(f"serve answered {path} with {status} (a failed first "
                             f"build? a full disk?):\n{errors.read()}")
                times.append(time.perf_counter() - t0)
            cpu.append(cpu_seconds(server.pid))
        finally:
            server.terminate()
            server.wait()

    try:
        for k in range(n):
            for run in ([cold_build, serve] if k % 2 == 0 else [serve, cold_build]):
                run(k)
    finally:
        for path in copies:
            shutil.rmtree(path, ignore_errors=True)
    med = lambda xs: f"median {statistics.median(xs):.2f} s ({', '.join(f'{x:.2f}' for x in xs)})"
    print("cold build:", med(build), "| cpu", med(build_cpu))
    print("serve, 'Serving' printed:", med(serving))
    print("serve, home page answered:", med(page))
    print("serve, search index answered (complete site):", med(complete), "| cpu", med(cpu))
    ratios = [s / b for s, b in zip(complete, build)]
    print("complete site / cold build of the same round: median "
          f"{statistics.median(ratios):.2f}x ({', '.join(f'{r:.2f}' for r in ratios)})")


def main():
    if sys.argv[1] == "--startup":
        startup(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return
    port, root, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    if "--site-yaml" in sys.argv:
        site_yaml_edits(port, root, n)
        return
    term = sys.argv[sys.argv.index("--term") + 1] if "--term" in sys.argv else "huddle"
    stories = []
    for i in range(n):
        path = f"{root}/content/stories/story-{i + 100:05d}.md"
        stories.append(timed_edit(port, path, lambda t, i=i: t.replace(
            "\n\n", f"\n\nEdit {i} at {time.time()}.\n\n", 1)))
        time.sleep(1.5)  # let the background search index settle
    report("story body", stories)
    bodies = []
    path = f"{root}/content/glossary/{term}.md"
    for i in range(n):
        # The term's own text, below its front matter: its page changes,
        # and no tooltip does.
        bodies.append(timed_edit(port, path, lambda t, i=i: t.rstrip("\n") + f"\n\nTerm edit {i}.\n"))
        time.sleep(1.5)
    report(f"term {term} body", bodies)
    terms = []
    path = f"{root}/content/glossary/{term}.md"
    for i in range(n):
        terms.append(timed_edit(port, path, lambda t, i=i: re.sub(
            r"(?m)^short: .*$", f'short: "Tooltip text, edit {i}."', t, count=1)))
        time.sleep(1.5)
    report(f"term {term} tooltip", terms)


if __name__ == "__main__":
    main()
