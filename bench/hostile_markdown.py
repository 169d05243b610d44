#!/usr/bin/env python3
"""Times `campfire build` on one-page sites whose page is hostile Markdown,
at doubling sizes, to show each case grows linearly (a quadratic case
takes four times as long when the size doubles).

    cargo build --release
    python3 bench/hostile_markdown.py [--campfire target/release/campfire] [--runs 3]
                                      [--only NAME] [--scale 0.2]

Prints, per case and size, the best build time minus the best build time of
the same site with an empty page (the fixed cost of a build).
"""

import argparse
import os
import shutil
import subprocess
import tempfile
import time

FRONT = "---\ntitle: Hostile\n---\n\n"

# name -> (function of n -> body, sizes)
CASES = {
    "identical headings": (lambda n: "## Same\n\n" * n, [25_000, 50_000, 100_000]),
    "nested blockquotes": (lambda n: ">" * n + " deep\n", [12_500, 25_000, 50_000]),
    "nested lists": (lambda n: "- " * n + "deep\n", [12_500, 25_000, 50_000]),
    "table rows": (lambda n: "| a | b |\n|---|---|\n" + "| x | y |\n" * n, [25_000, 50_000, 100_000]),
    "one long line of entities (bytes)": (
        lambda n: "word &amp; " * (n // 11) + "\n",
        [250_000, 500_000, 1_000_000],
    ),
    "long body (bytes)": (
        lambda n: ("A paragraph with *emphasis*, a [link](https://example.org) and `code`.\n\n" * (n // 74)),
        [2_500_000, 5_000_000, 10_000_000],
    ),
    "nested emphasis": (lambda n: "*a " * n + "b" + " c*" * n + "\n", [12_500, 25_000, 50_000]),
    "open brackets": (lambda n: "[" * n + "x\n", [25_000, 50_000, 100_000]),
}


def site(root, body):
    os.makedirs(os.path.join(root, "content", "pages"), exist_ok=True)
    with open(os.path.join(root, "site.yaml"), "w") as f:
        f.write("title: Hostile\n")
    with open(os.path.join(root, "content", "pages", "hostile.md"), "w") as f:
        f.write(FRONT + body)


def best_time(campfire, root, runs):
    best = None
    for _ in range(runs):
        shutil.rmtree(os.path.join(root, "public"), ignore_errors=True)
        start = time.perf_counter()
        p = subprocess.run([campfire, "build", "--root", root], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if p.returncode not in (0, 1):
            return None, f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
        best = elapsed if best is None else min(best, elapsed)
    return best, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--campfire", default="target/release/campfire")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", help="run only the cases whose name contains this")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    args = ap.parse_args()
    campfire = os.path.abspath(args.campfire)
    with tempfile.TemporaryDirectory() as tmp:
        base_root = os.path.join(tmp, "empty")
        site(base_root, "Nothing.\n")
        base, _ = best_time(campfire, base_root, args.runs)
        print(f"fixed cost of a build: {base:.3f} s")
        for name, (make, sizes) in CASES.items():
            if args.only and args.only not in name:
                continue
            row = []
            for n in (int(n * args.scale) for n in sizes):
                root = os.path.join(tmp, f"{abs(hash(name))}-{n}")
                site(root, make(n))
                t, err = best_time(campfire, root, args.runs)
                row.append(f"{n:>10,}: " + (f"{t - base:7.3f} s" if t is not None else err))
                shutil.rmtree(root, ignore_errors=True)
            print(f"{name:<36}" + "  ".join(row), flush=True)


if __name__ == "__main__":
    main()
