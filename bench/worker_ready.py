"""Time-to-ready of a Faust worker against the local broker: from process start to Faust's
"Worker ready", for a fresh consumer group and one that rejoins after a SIGKILL.

Run: .venv/bin/python -m bench.worker_ready [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import uuid
from pathlib import Path

from bench.local_broker import local_broker
from tests.conftest import free_port
from tests.integration.workers import Worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with local_broker() as (_, tmp):
        fresh: list[float] = []
        rejoin: list[float] = []
        for run in range(runs):
            app_id = f"bench-{uuid.uuid4().hex[:8]}"
            env = {
                "COUNTER_APP_ID": app_id,
                "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
                "TOUCHSTREAM_WORKER_DATA_DIR": f"{tmp}/{app_id}",
            }
            args = ["-m", "tests.integration.apps.counter_app", "worker", "-l", "info"]
            for series, name in ((fresh, "fresh"), (rejoin, "rejoin")):
                worker = Worker(args, Path(tmp) / f"{app_id}-{name}.log", env)
                series.append(worker.wait_ready())
                worker.kill()
            print(
                f"run {run + 1}: fresh group {fresh[-1]:.1f} s, rejoin after SIGKILL "
                f"{rejoin[-1]:.1f} s"
            )
        print(
            f"median time-to-ready: fresh {statistics.median(fresh):.1f} s, "
            f"rejoin {statistics.median(rejoin):.1f} s ({runs} runs)"
        )


if __name__ == "__main__":
    main()
