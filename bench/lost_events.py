#!/usr/bin/env python3
"""What `campfire serve` does when the watcher loses events.

    python3 bench/lost_events.py BINARY CORPUS PORT [--files 2000] [--queue 32] [--rounds 3]

A big checkout (`git checkout`, `git stash pop`) writes thousands of files
at once and can overflow the kernel's inotify queue; the events are lost
and `serve` has to find what changed some other way. This serves a fresh
copy of CORPUS (say bench/corpus/10000), rewrites `--files` stories in a
burst, `--rounds` times, and prints every line `serve` printed after each
burst, with its time after the last write: how long until the site was
right again, how many files each rebuild wrote, and whether rebuilds kept
coming after the burst (a loop of full rebuilds, each reloading every tab,
would show as a line every few seconds until the round's 15 s are over).

The queue is made small with `--queue` (the system's
fs.inotify.max_queued_events, 16,384 by default; writing it needs root, and
it is put back at the end) so that a burst of a few thousand files
overflows it on any machine. Without root, the queue is left as it is.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import threading
import time

QUEUE = "/proc/sys/fs/inotify/max_queued_events"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("corpus")
    ap.add_argument("port")
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--queue", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    root = args.corpus.rstrip("/") + "-lost-events"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(args.corpus, root, ignore=shutil.ignore_patterns("public"))
    before = open(QUEUE).read().strip()
    try:
        with open(QUEUE, "w") as f:
            f.write(str(args.queue))
        print(f"inotify queue: {args.queue} events (was {before})")
    except OSError:
        print(f"inotify queue: {before} events (not root: left as it is)")
    server = subprocess.Popen([args.binary, "serve", "--root", root, "--port", args.port],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []

    def read():
        for line in server.stdout:
            lines.append((time.perf_counter(), line.rstrip()))

    threading.Thread(target=read, daemon=True).start()
    try:
        while not any("Serving" in line for _, line in lines):
            if server.poll() is not None:
                sys.exit("serve stopped:\n" + "\n".join(line for _, line in lines))
            time.sleep(0.05)
        time.sleep(3)
        stories = sorted(glob.glob(f"{root}/content/stories/*.md"))[: args.files]
        for k in range(args.rounds):
            seen = len(lines)
            for path in stories:
                text = open(path).read()
                with open(path, "w") as f:
                    f.write(text.replace("\n\n", f"\n\nRound {k}.\n\n", 1))
            written = time.perf_counter()
            time.sleep(15)
            print(f"round {k}: {len(stories)} stories rewritten; then:")
            for at, line in lines[seen:]:
                print(f"  +{at - written:5.2f} s  {line}")
        status = open(f"/proc/{server.pid}/status").read().splitlines()
        print(" ".join(line for line in status if line.startswith(("VmRSS", "VmHWM"))))
    finally:
        server.terminate()
        server.wait()
        try:
            with open(QUEUE, "w") as f:
                f.write(before)
        except OSError:
            pass
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
