#!/usr/bin/env python3
"""The page-size bar: no generated HTML page over a limit (200 kB).

    python3 bench/gen_corpus.py --stories 10000 --terms 1000 --cases 500 --seed 1 --out /tmp/c10k
    target/release/campfire build --root /tmp/c10k --output /tmp/c10k-out
    python3 bench/page_sizes.py /tmp/c10k-out            # --max-kb 200 --top 10

Prints the largest pages, the count and total size of HTML pages and of
the whole output, and exits 1 when a page is over the limit. Only `.html`
pages count: the search index's data files (`search/**/*.js`) are sized by
the index, not by the lists (see `cargo run --example search_payload`).
"""
import argparse
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output", help="a built site (campfire build --output DIR)")
    ap.add_argument("--max-kb", type=float, default=200, help="limit per page in kB (1 kB = 1000 bytes)")
    ap.add_argument("--top", type=int, default=10, help="how many of the largest pages to list")
    args = ap.parse_args()
    pages, total = [], 0
    for dirpath, _, files in os.walk(args.output):
        for f in files:
            path = os.path.join(dirpath, f)
            size = os.path.getsize(path)
            total += size
            if f.endswith(".html"):
                pages.append((size, os.path.relpath(path, args.output)))
    if not pages:
        sys.exit(f"{args.output}: no HTML pages (build the site first)")
    pages.sort(reverse=True)
    limit = args.max_kb * 1000
    print(f"largest of {len(pages)} HTML pages ({sum(s for s, _ in pages) / 1e6:.1f} MB; "
          f"whole output {total / 1e6:.1f} MB):")
    for size, path in pages[: args.top]:
        print(f"  {size / 1000:9.1f} kB  {path}{'  OVER' if size > limit else ''}")
    over = [p for p in pages if p[0] > limit]
    if over:
        print(f"{len(over)} page(s) over {args.max_kb:g} kB")
        sys.exit(1)
    print(f"no page over {args.max_kb:g} kB")


if __name__ == "__main__":
    main()
