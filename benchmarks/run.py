"""``make bench``: run every ``bench_*.py`` script here, each in its own process, collect
their results into ``benchmarks/results.json`` (DESIGN.md, Benchmarks) and print them.
Exits 1 when a target is missed or a script fails, after writing everything measured.

    python benchmarks/run.py --scale full|small --database-url postgres://... [--only gate ...]

With ``--only`` just the named scripts run (``gate`` for ``bench_gate.py``) and their rows
replace the rows of the same names in results.json; the other rows are kept.

Every script gets the same two options; each works in its own database on that server
(``safework_bench`` for the register), never in the one named by the URL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


def scripts() -> list[Path]:
    return sorted(HERE.glob("bench_*.py"))


def run_script(script: Path, scale: str, database_url: str) -> list[dict]:
    """The script's JSON list from its standard output; progress goes to standard error."""
    command = [sys.executable, str(script), "--scale", scale, "--database-url", database_url]
    print(f"bench: {script.name}", file=sys.stderr, flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    start = done.stdout.find("[")
    if done.returncode != 0 or start < 0:
        return [_failure(script, done.returncode)]
    return json.loads(done.stdout[start:])


def _failure(script: Path, code: int) -> dict:
    return {
        "name": script.stem,
        "value": None,
        "unit": f"failed (exit {code})",
        "target": None,
        "baseline": None,
        "ratio": None,
        "ok": False,
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.common import bench_arguments

    parser = bench_arguments("Run every benchmark script.")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="e.g. gate import")
    args = parser.parse_args(argv)
    chosen = [s for s in scripts() if not args.only or s.stem.removeprefix("bench_") in args.only]
    if args.only and len(chosen) != len(set(args.only)):
        parser.error(f"unknown benchmark in {args.only}: have {[s.stem for s in scripts()]}")
    results = [row for s in chosen for row in run_script(s, args.scale, args.database_url)]
    if args.only:
        results = _merged(results)
    text = json.dumps(results, ensure_ascii=False, indent=2)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if all(row["ok"] for row in results) else 1


def _merged(new: list[dict]) -> list[dict]:
    """The rows of results.json with those of ``new`` put in place of their namesakes."""
    old = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []
    names = {row["name"] for row in new}
    return [row for row in old if row["name"] not in names] + new


if __name__ == "__main__":
    raise SystemExit(main())
