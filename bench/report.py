"""What a benchmark scenario reports, and the JSON and Markdown files a run writes.

A scenario returns a ``Result``: named figures, each with its unit and, where the issue sets
one, the target it is held against. Targets are reported beside the figure, never asserted:
``bench/`` measures, ``tests/`` assert.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"
PACKAGES = (
    "faust-streaming",
    "aiokafka",
    "fastavro",
    "cavro",
    "avro",
    "clickhouse-connect",
    "chdb",
)


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: float | None  # None: could not be measured (the notes say why)
    unit: str
    target: str = ""  # e.g. ">= 50000", "<= 2.0"; empty when the issue sets none

    @property
    def met(self) -> bool | None:
        if not self.target or self.value is None:
            return None
        op, bound = self.target.split()
        return self.value >= float(bound) if op == ">=" else self.value <= float(bound)


@dataclass(slots=True)
class Result:
    scenario: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, name: str, value: float | None, unit: str, target: str = "") -> None:
        self.figures.append(Figure(name, value, unit, target))


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit,
        "packages": versions,
    }


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _verdict(figure: Figure) -> str:
    return {True: "met", False: "**missed**", None: ""}[figure.met]


def markdown(results: list[Result], info: dict[str, Any], started: datetime) -> str:
    lines = [
        "# Touchstream benchmarks",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC at commit `{info['commit']}` on {info['cores']} x "
        f"{info['cpu']}, Python {info['python']}. Made by `python -m bench`.",
        "",
        "| scenario | figure | value | unit | target | |",
        "|---|---|---:|---|---|---|",
    ]
    for result in results:
        for figure in result.figures:
            lines.append(
                f"| {result.scenario} | {figure.name} | {_number(figure.value)} | "
                f"{figure.unit} | {figure.target} | {_verdict(figure)} |"
            )
    for result in results:
        lines += ["", f"## {result.scenario}: {result.title}", ""]
        if result.params:
            params = ", ".join(f"{key}={value}" for key, value in result.params.items())
            lines.append(f"Parameters: {params}; took {result.seconds:.0f} s.")
            lines.append("")
        lines += [f"- {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def write(results: list[Result], started: datetime, out: Path = RESULTS_DIR) -> Path:
    """Writes ``latest.json`` and ``latest.md`` into ``out``; returns the Markdown path."""
    info = machine()
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "started": started.astimezone(UTC).isoformat(),
        "machine": info,
        "results": [
            asdict(result) | {"figures": [asdict(f) | {"met": f.met} for f in result.figures]}
            for result in results
        ],
    }
    (out / "latest.json").write_text(json.dumps(payload, indent=2) + "\n")
    path = out / "latest.md"
    path.write_text(markdown(results, info, started))
    return path
