"""Start and stop Faust workers as real processes, as the integration tests need them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

READY_LINE = "Worker ready"


class Worker:
    """A Faust worker subprocess whose log goes to a file the test can read."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.log = log
        self._log_file = log.open("ab")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, *args],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            start_new_session=True,
        )

    def wait_ready(self, timeout_s: float = 90.0) -> float:
        """Seconds from process start until Faust reports the worker ready."""
        deadline = self.started + timeout_s
        while time.monotonic() < deadline:
            if READY_LINE in self.log.read_text(errors="replace"):
                return time.monotonic() - self.started
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker not ready; log tail:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no final commit, no flush."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)

    def _signal(self, sig: signal.Signals) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(20)
        self._log_file.close()
