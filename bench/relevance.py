#!/usr/bin/env python3
"""Search relevance benchmark: known-item queries, MRR@10 and recall@10.

    python3 bench/relevance.py --corpus DIR [--new BIN] [--old BIN ...]
        [--pagefind] [--pages 300] [--seed 1]

DIR is a folder of Markdown pages (any depth), e.g. a public handbook
fetched for the run (never committed): every `*.md` becomes a Campfire page
whose title is its first `# heading` (or its file name). The site is built
with each binary (`--new`, default target/release/campfire; `--old` may
repeat, `LABEL=BIN` to name one) and queried with `campfire search`, which
ranks exactly as the browser does (the browser tests check it).

Query sets, drawn with a fixed seed from `--pages` random pages:

- title:    the page's title as typed (its last word is a prefix);
- content:  four neighbouring content words of one of its paragraphs;
- midword:  the title, typed up to the middle of its last long word;
- typo:     the content query with two neighbouring letters swapped in its
            longest word.

A query's relevant pages are the page itself and any page with the same
title (title sets). Reported: MRR@10 (1/rank of the first relevant page in
the top 10, else 0) and recall@10 (a relevant page in the top 10), and with
`--pagefind` the same over Pagefind (PyPI package `pagefind[bin]`, driven
through its browser API in headless Chromium by bench/pagefind_queries.mjs)
on the very same built pages.

Writes bench/results/relevance.md and .json.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "target", "relevance")
STOP = set(
    "a an and are as at be been but by for from had has have he her his i if in into is its of "
    "on or our she so than that the their them then there these they this to was we were what "
    "when which who will with would you your".split()
)


def slug(s):
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return s or "page"


def strip_front_matter(text):
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            return text[end + 4 :].lstrip("\n")
    return text


def make_site(corpus, site):
    """Writes a Campfire site with one page per Markdown file; returns
    [{url, title, paragraphs}]."""
    if os.path.exists(site):
        shutil.rmtree(site)
    os.makedirs(os.path.join(site, "content", "pages"))
    with open(os.path.join(site, "site.yaml"), "w") as f:
        f.write("title: Relevance corpus\nlanguage: en\n")
    pages, used = [], set()
    for dirpath, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = strip_front_matter(f.read())
            m = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.M)
            title = m.group(1).strip() if m else os.path.splitext(name)[0].replace("-", " ")
            title = re.sub(r"[`*_\[\]]|\(.*?\)", "", title).strip() or name
            if m:
                text = text[: m.start()] + text[m.end() :]
            rel = os.path.relpath(path, corpus)
            s = slug(os.path.splitext(rel)[0])
            if s == "index":
                s = "home"
            while s in used:
                s += "-x"
            used.add(s)
            body = text.replace("{{", "{ {").replace("{%", "{ %")
            with open(os.path.join(site, "content", "pages", s + ".md"), "w") as f:
                f.write("---\ntitle: " + json.dumps(title, ensure_ascii=False) + "\n---\n\n" + body)
            paras = [
                p
                for p in re.split(r"\n\s*\n", text)
                if not p.lstrip().startswith(("#", "|", "<", "```", "- [", "* [", "!["))
            ]
            pages.append({"url": s + "/", "title": title, "paragraphs": paras})
    return pages


def words_of(text):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>|`[^`]*`|https?://\S+", " ", text)
    return re.findall(r"[A-Za-z][A-Za-z']+", text)


def make_queries(pages, n, seed):
    rng = random.Random(seed)
    by_title = {}
    for p in pages:
        by_title.setdefault(p["title"].lower(), set()).add(p["url"])
    sample = rng.sample(pages, min(n, len(pages)))
    sets = {"title": [], "content": [], "midword": [], "typo": []}
    for p in sample:
        same = sorted(by_title[p["title"].lower()])
        sets["title"].append((p["title"], same))
        last = p["title"].split()[-1] if p["title"].split() else ""
        if len(last) >= 7 and last.isalpha():
            cut = p["title"][: len(p["title"]) - len(last) + len(last) // 2 + 1]
            sets["midword"].append((cut, same))
        paras = [w for w in (words_of(x) for x in p["paragraphs"]) if len(w) >= 12]
        if not paras:
            continue
        ws = rng.choice(paras)
        content = [w for w in ws if w.lower() not in STOP and len(w) > 2]
        if len(content) < 4:
            continue
        i = rng.randrange(0, len(content) - 3)
        q = content[i : i + 4]
        sets["content"].append((" ".join(q), [p["url"]]))
        longest = max(range(4), key=lambda k: len(q[k]))
        w = q[longest]
        if len(w) >= 6:
            k = rng.randrange(1, len(w) - 2)
            typo = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
            if typo.lower() != w.lower():
                sets["typo"].append((" ".join(q[:longest] + [typo] + q[longest + 1 :]), [p["url"]]))
    return sets


def campfire_search(binary, site, out, q):
    r = subprocess.run(
        [binary, "search", "--root", site, "--output", out, "--limit", "10", q],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        sys.exit(f"{binary} search {q!r} failed: {r.stderr}")
    lines = r.stdout.splitlines()
    urls = []
    for i, line in enumerate(lines):
        if re.match(r"^\s*\d+\. ", line) and i + 1 < len(lines):
            urls.append(lines[i + 1].strip())
    return urls


def score(results, sets):
    out = {}
    for name, qs in sets.items():
        rr, hit = 0.0, 0
        for (q, relevant), urls in zip(qs, results[name]):
            for rank, u in enumerate(urls[:10], 1):
                if u in relevant:
                    rr += 1.0 / rank
                    hit += 1
                    break
        out[name] = {"n": len(qs), "mrr": rr / max(1, len(qs)), "recall": hit / max(1, len(qs))}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--new", default=os.path.join(ROOT, "target", "release", "campfire"))
    ap.add_argument("--old", action="append", default=[])
    ap.add_argument("--pagefind", action="store_true")
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    os.makedirs(WORK, exist_ok=True)
    site = os.path.join(WORK, "site")
    pages = make_site(args.corpus, site)
    sets = make_queries(pages, args.pages, args.seed)
    print(f"{len(pages)} pages; queries: " + ", ".join(f"{k} {len(v)}" for k, v in sets.items()))

    tools = [("branch", args.new)]
    for o in args.old:
        label, _, path = o.rpartition("=")
        tools.append((label or "old", path))
    report = {"pages": len(pages), "queries": {k: [q for q, _ in v] for k, v in sets.items()}, "tools": {}}
    for label, binary in tools:
        out = os.path.join(WORK, "out-" + label)
        t0 = time.time()
        r = subprocess.run([binary, "build", "--root", site, "--output", out], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{label}: build failed: {r.stderr[-2000:]}")
        built = time.time() - t0
        results = {k: [campfire_search(binary, site, out, q) for q, _ in v] for k, v in sets.items()}
        report["tools"][label] = {"build_s": built, "scores": score(results, sets), "results": results}
        print(label, json.dumps(report["tools"][label]["scores"]))

    if args.pagefind:
        out = os.path.join(WORK, "out-branch")
        # The same text Campfire indexes: each entry's article, without
        # the glossary tooltips; list pages (no article) are left out.
        subprocess.run([sys.executable, "-m", "pagefind", "--site", out, "--output-subdir", "pagefind",
                        "--root-selector", "article.entry", "--exclude-selectors", ".term-tip"],
                       check=True, capture_output=True)
        queries = {k: [q for q, _ in v] for k, v in sets.items()}
        qfile = os.path.join(WORK, "pagefind-queries.json")
        with open(qfile, "w") as f:
            json.dump(queries, f)
        r = subprocess.run(["node", os.path.join(ROOT, "bench", "pagefind_queries.mjs"), out, qfile],
                           capture_output=True, text=True, cwd=ROOT)
        if r.returncode != 0:
            sys.exit("pagefind queries failed: " + r.stderr[-3000:])
        print(r.stderr.strip())
        results = json.loads(r.stdout)
        report["tools"]["pagefind"] = {"scores": score(results, sets), "results": results}
        print("pagefind", json.dumps(report["tools"]["pagefind"]["scores"]))

    res_dir = os.path.join(ROOT, "bench", "results")
    os.makedirs(res_dir, exist_ok=True)
    with open(os.path.join(res_dir, "relevance.json"), "w") as f:
        json.dump(report, f, indent=1)
    lines = [f"# Search relevance: {len(pages)} pages, seed {args.seed}", "",
             "| tool | " + " | ".join(f"{k} MRR@10 | {k} R@10" for k in sets) + " |",
             "|---|" + "---|---|" * len(sets)]
    for label, t in report["tools"].items():
        s = t["scores"]
        lines.append(f"| {label} | " + " | ".join(f"{s[k]['mrr']:.3f} | {s[k]['recall']:.3f}" for k in sets) + " |")
    lines.append("")
    lines.append("Queries per set: " + ", ".join(f"{k} {len(v)}" for k, v in sets.items()))
    with open(os.path.join(res_dir, "relevance.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
