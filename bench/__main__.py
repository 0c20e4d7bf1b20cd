"""`python -m bench [scenario ...] [--quick]`: runs the benchmark scenarios one after the
other on this machine and writes bench/results/latest.json and latest.md.

Scenarios live in ``bench/scenarios/``, one module each with ``run(quick: bool) -> Result``.
``--quick`` shrinks every scenario to a smoke run (seconds, not minutes); its figures are
not the ones to quote.
"""

from __future__ import annotations

import argparse
import importlib
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import RESULTS_DIR, Result, write

SCENARIOS = ("core", "worker", "freshness", "peer", "codec", "memory", "sink")


def run(name: str, quick: bool) -> Result:
    module = importlib.import_module(f"bench.scenarios.{name}")
    started = time.perf_counter()
    result: Result = module.run(quick)
    result.seconds = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenarios", nargs="*", choices=[[], *SCENARIOS], default=[])
    parser.add_argument("--quick", action="store_true", help="smoke run, figures not to quote")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args()
    started = datetime.now(UTC)
    results = []
    for name in args.scenarios or SCENARIOS:
        print(f"== {name}", flush=True)
        result = run(name, args.quick)
        for figure in result.figures:
            print(f"   {figure.name}: {figure.value} {figure.unit} {figure.target}", flush=True)
        results.append(result)
    print(f"wrote {write(results, started, args.out)}")


if __name__ == "__main__":
    main()
