"""deploy/production parses, names only real settings, gives every service what it needs, and
takes every password from a secret, never a literal."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from touchstream.settings import Settings

PRODUCTION = Path(__file__).parents[3] / "deploy" / "production"
SETTINGS_VARS = {f"TOUCHSTREAM_{name.upper()}" for name in Settings.model_fields}
REQUIRED = {
    "TOUCHSTREAM_KAFKA_BOOTSTRAP",
    "TOUCHSTREAM_KAFKA_PROFILE",
    "TOUCHSTREAM_CLICKHOUSE_HOST",
}
PASSWORDS = {"migrate": {"ADMIN", "WRITER", "BI"}, "sink": {"WRITER"}, "worker": set()}
VIEWS = {
    "channel_satisfaction_hourly",
    "channel_response_times_hourly",
    "sla_breaches",
    "open_cases",
    "feedback_themes_daily",
}


def documents() -> list[tuple[Path, Any]]:
    return [
        (path, doc)
        for path in sorted(PRODUCTION.rglob("*.y*ml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc is not None
    ]


def test_every_manifest_parses_and_names_only_real_settings() -> None:
    docs = documents()
    assert len(docs) > 10
    text = "\n".join(p.read_text() for p in PRODUCTION.rglob("*") if p.is_file())
    named = set(re.findall(r"TOUCHSTREAM_[A-Z_]+", text))
    assert named <= SETTINGS_VARS, named - SETTINGS_VARS


def test_compose_services_get_their_settings_and_secrets() -> None:
    compose = yaml.safe_load((PRODUCTION / "docker-compose.yml").read_text())
    for name, passwords in PASSWORDS.items():
        env = compose["services"][name]["environment"]
        assert env.keys() >= REQUIRED, name
        assert env["TOUCHSTREAM_KAFKA_PROFILE"] == "production"
        for role in passwords:
            value = env[f"TOUCHSTREAM_CLICKHOUSE_{role}_PASSWORD"]
            assert re.fullmatch(r"\$\{TOUCHSTREAM_CLICKHOUSE_\w+:\?[^}]*\}", value), value


def _containers(kind: str, name: str) -> dict[str, Any]:
    for _, doc in documents():
        if doc.get("kind") == kind and doc["metadata"]["name"] == name:
            spec = doc["spec"]["template"]["spec"]
            return dict(spec["containers"][0])
    raise AssertionError(f"no {kind} {name}")


def test_kubernetes_workloads_get_their_settings_and_secrets() -> None:
    config = next(
        doc
        for _, doc in documents()
        if doc.get("kind") == "ConfigMap" and doc["metadata"]["name"] == "touchstream-config"
    )["data"]
    assert config.keys() >= REQUIRED and config["TOUCHSTREAM_KAFKA_PROFILE"] == "production"
    workloads = {
        "migrate": ("Job", "touchstream-migrate"),
        "worker": ("Deployment", "touchstream-worker"),
        "sink": ("Deployment", "touchstream-sink"),
    }
    for name, (kind, resource) in workloads.items():
        container = _containers(kind, resource)
        assert {"configMapRef": {"name": "touchstream-config"}} in container["envFrom"]
        env = {e["name"]: e for e in container.get("env", [])}
        for role in PASSWORDS[name]:
            ref = env[f"TOUCHSTREAM_CLICKHOUSE_{role}_PASSWORD"]["valueFrom"]["secretKeyRef"]
            assert ref["name"] == "touchstream-secrets"


def test_no_literal_password_anywhere() -> None:
    for path in PRODUCTION.rglob("*"):
        if path.is_file():
            for line in path.read_text().splitlines():
                if re.search(r"password\s*[:=]\s*[\"']?[A-Za-z0-9]", line, re.I):
                    raise AssertionError(f"{path}: {line}")


def test_dashboard_reads_only_the_bi_views() -> None:
    dashboard = json.loads((PRODUCTION / "grafana" / "dashboards" / "channels.json").read_text())
    sources = {
        m
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for m in re.findall(r"FROM (\w+)", target["rawSql"])
    }
    assert sources and sources <= VIEWS
