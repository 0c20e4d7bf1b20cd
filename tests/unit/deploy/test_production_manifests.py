"""deploy/production: every manifest parses; every TOUCHSTREAM_* variable it names is a real
setting; migrate, worker and sink get the settings they need in compose and in Kubernetes, and
the passwords they need from secrets, never as literals; the ClickHouse users, the Grafana
datasource and the dashboard agree with each other and read only the BI views.

Static checks only: nothing here starts a container or talks to a cluster."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import sinks.metrics
import streams.counters
import streams.webhook  # noqa: F401
from touchstream.collector.metrics import CollectorMetrics
from touchstream.settings import Settings

PRODUCTION = Path(__file__).resolve().parents[3] / "deploy" / "production"
K8S = PRODUCTION / "k8s"
COMPOSE_FILE = PRODUCTION / "docker-compose.yml"
DASHBOARD_FILE = PRODUCTION / "grafana" / "dashboards" / "channels.json"
DATASOURCE_FILE = PRODUCTION / "grafana" / "datasource.yml"
USERS_FILE = PRODUCTION / "clickhouse" / "users.xml"
SERVER_CONFIG_FILE = PRODUCTION / "clickhouse" / "config.xml"

ENV_PREFIX = str(Settings.model_config.get("env_prefix", "TOUCHSTREAM_"))
SETTING_VARS = {f"{ENV_PREFIX}{name.upper()}": name for name in Settings.model_fields}

REQUIRED = {
    "TOUCHSTREAM_KAFKA_BOOTSTRAP",
    "TOUCHSTREAM_KAFKA_PROFILE",
    "TOUCHSTREAM_CLICKHOUSE_HOST",
}


def _password_var(role: str) -> str:
    return f"TOUCHSTREAM_CLICKHOUSE_{role}_PASSWORD"


PASSWORD_VARS = {_password_var(role) for role in ("ADMIN", "WRITER", "BI")}
# Passwords each Touchstream service must get, and the only ones it may get. migrate may hold
# the writer and BI passwords: it provisions those users on a server with SQL-managed users.
NEEDS = {
    "migrate": {_password_var("ADMIN")},
    "sink": {_password_var("WRITER")},
    "worker": set(),
    "collector": set(),
}
MAY_HAVE = {
    "migrate": PASSWORD_VARS,
    "sink": {_password_var("WRITER")},
    "worker": set(),
    "collector": set(),
}
K8S_WORKLOADS = {
    "migrate": ("Job", "touchstream-migrate"),
    "worker": ("Deployment", "touchstream-worker"),
    "sink": ("Deployment", "touchstream-sink"),
    "collector": ("Deployment", "touchstream-collector"),
}
SECRET_NAME = "touchstream-secrets"
CONFIG_NAME = "touchstream-config"
SECRET_TEMPLATE = "secret.template.yaml"
TEMPLATE_VALUES = {"", "REPLACE_ME"}

# The BI views the dashboard may read, with their columns (README, "BI views").
VIEW_COLUMNS: dict[str, set[str]] = {
    "channel_satisfaction_hourly": {
        "hour", "channel", "csat_responses", "csat_satisfied", "csat_pct", "csat_avg",
        "nps_responses", "nps_promoters", "nps_detractors", "nps", "ces_responses", "ces_avg",
        "csat_multi_responses", "csat_multi_satisfied", "csat_single_responses",
        "csat_single_satisfied",
    },
    "channel_response_times_hourly": {
        "hour", "channel", "cases_opened", "first_responses", "frt_avg_s", "frt_p50_s",
        "frt_p90_s", "frt_p99_s", "resolved", "ttr_p50_s", "fcr_cases", "fcr_pct",
        "sla_breaches", "multi_channel_cases", "abandoned_cases", "ivr_entered", "ivr_escapes",
    },
    "sla_breaches": {
        "case_id", "customer_id", "channel", "opened_at", "sla_deadline", "first_response_at",
        "frt_s", "late_by_s", "resolved_at", "multi_channel",
    },
    "open_cases": {
        "case_id", "customer_id", "channel", "opened_at", "open_for_s",
        "awaiting_first_response", "sla_deadline", "sla_breached", "customer_contacts",
        "channels", "reopened",
    },
    "feedback_themes_daily": {
        "day", "channel", "theme", "language", "responses", "comments", "share_pct",
        "detractors", "csat_responses", "csat_satisfied", "csat_pct", "csat_avg",
    },
    "alert_timeline": {
        "alert_id", "kind", "severity", "channel", "subject_id", "raised_at", "resolved_at",
        "open_s", "summary",
    },
    "call_abandonment_hourly": {
        "hour", "channel", "calls_abandoned", "calls_answered", "abandon_pct",
    },
}
HOURLY_VIEWS = {
    "channel_satisfaction_hourly", "channel_response_times_hourly", "call_abandonment_hourly",
}
# Rates, means and percentiles of one hour: over a range they must be recombined from the
# counts (sum(csat_satisfied) / sum(csat_responses)), never aggregated themselves.
NOT_ADDITIVE = {
    "csat_pct", "csat_avg", "nps", "ces_avg", "fcr_pct", "frt_avg_s",
    "frt_p50_s", "frt_p90_s", "frt_p99_s", "ttr_p50_s", "abandon_pct",
}

# A reference to a secret in the environment: $VAR, ${VAR} or ${VAR:?message}.
ENV_REFERENCE = re.compile(r"\$(\{[A-Z_][A-Z0-9_]*(:\?[^}]*)?\}|[A-Z_][A-Z0-9_]*)")
COMPOSE_SECRET = re.compile(r"\$\{(?P<var>[A-Z_][A-Z0-9_]*):\?[^}]+\}")


# --- loading --------------------------------------------------------------------------------


def text_files() -> list[Path]:
    return sorted(p for p in PRODUCTION.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def yaml_files() -> list[Path]:
    return [p for p in text_files() if p.suffix in {".yml", ".yaml"}]


class UniqueKeyLoader(yaml.SafeLoader):
    """kubectl and docker compose refuse a mapping that repeats a key; PyYAML would keep the
    last one silently."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: Path) -> list[Any]:
    return [doc for doc in yaml.load_all(path.read_text(), UniqueKeyLoader) if doc is not None]


def compose() -> dict[str, Any]:
    doc = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(doc, dict)
    return doc


def k8s_docs() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, doc) for path in sorted(K8S.glob("*.yaml")) for doc in load_yaml(path)
            if path.name != "kustomization.yaml"]


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [doc for path, doc in k8s_docs()
             if path.name != SECRET_TEMPLATE and doc.get("kind") == kind
             and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def config_map() -> dict[str, str]:
    data = k8s_object("ConfigMap", CONFIG_NAME)["data"]
    assert all(isinstance(v, str) for v in data.values()), "ConfigMap values must be strings"
    return dict(data)


def pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = doc["spec"]["template"]["spec"]
    return spec


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def workloads() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, doc in k8s_docs():
        if path.name != SECRET_TEMPLATE and doc.get("kind") in {
            "Deployment", "StatefulSet", "Job", "DaemonSet"
        }:
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def compose_env(service: str) -> dict[str, str]:
    env = compose()["services"][service].get("environment", {})
    assert isinstance(env, dict), f"{service}: use the mapping form of environment"
    return {k: str(v) for k, v in env.items()}


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, key, value) of every mapping entry, recursively."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, f"{path}[{i}]")


def sync_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sync_k8s_configmaps", PRODUCTION / "sync_k8s_configmaps.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dashboard() -> dict[str, Any]:
    doc = json.loads(DASHBOARD_FILE.read_text())
    assert isinstance(doc, dict)
    return doc


def users_xml() -> ET.Element:
    return ET.parse(USERS_FILE).getroot()


# --- everything parses; only real settings ----------------------------------------------------


def test_every_manifest_parses() -> None:
    files = yaml_files()
    assert {p.relative_to(PRODUCTION).as_posix() for p in files} >= {
        "docker-compose.yml", "grafana/datasource.yml", "grafana/dashboards.yml",
        "k8s/kustomization.yaml", "k8s/namespace.yaml", "k8s/config.yaml",
        f"k8s/{SECRET_TEMPLATE}", "k8s/kafka.yaml", "k8s/clickhouse.yaml",
        "k8s/touchstream.yaml", "k8s/grafana.yaml",
    }
    for path in files:
        docs = load_yaml(path)
        assert docs, f"{path} is empty"
        assert all(isinstance(d, dict) for d in docs), path
    for _, doc in k8s_docs():
        assert {"apiVersion", "kind", "metadata"} <= doc.keys(), doc
    assert dashboard()["panels"]
    for xml in PRODUCTION.rglob("*.xml"):
        ET.parse(xml)


def test_kustomization_applies_every_manifest_but_the_secret_template() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    resources = kustomization["resources"]
    assert len(resources) == len(set(resources))
    for resource in resources:
        # kustomize refuses files outside its directory: everything must be inside k8s/.
        assert "/" not in resource and (K8S / resource).is_file(), resource
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", SECRET_TEMPLATE}
    assert set(resources) == manifests
    assert SECRET_TEMPLATE not in resources, "the secret template must never be applied"
    for generator in kustomization.get("configMapGenerator", []) + kustomization.get(
            "secretGenerator", []):
        for source in generator.get("files", []) + generator.get("envs", []):
            assert not str(source).split("=")[-1].startswith(".."), source
    assert kustomization["namespace"] == k8s_object("Namespace", "touchstream")["metadata"]["name"]


def test_every_touchstream_variable_named_is_a_setting() -> None:
    for path in text_files():
        named = set(re.findall(rf"\b{ENV_PREFIX}[A-Z0-9_]*[A-Z0-9]\b", path.read_text()))
        unknown = named - SETTING_VARS.keys()
        assert not unknown, f"{path.relative_to(PRODUCTION)} names no such setting: {unknown}"


def _validated(values: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for var in SETTING_VARS:
        monkeypatch.delenv(var, raising=False)
    kwargs: dict[str, Any] = {
        SETTING_VARS[k]: v for k, v in values.items() if k not in PASSWORD_VARS
    }
    return Settings(_env_file=None, **kwargs)  # type: ignore[call-arg]


def test_settings_values_are_valid_and_the_same_in_compose_and_k8s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared = compose()["x-touchstream-config"]
    compose_config = {k: str(v) for k, v in shared.items()}
    k8s_config = config_map()
    assert not PASSWORD_VARS & (compose_config.keys() | k8s_config.keys()), (
        "passwords never go into the shared, non-secret config")
    for values in (compose_config, k8s_config):
        settings = _validated(values, monkeypatch)
        assert settings.kafka_profile == "production"
        assert settings.topic_partitions >= 1 and settings.topic_replication >= 1
    assert compose_config.keys() == k8s_config.keys()
    # Only the addresses and paths differ between the two.
    differ = {k for k in compose_config if compose_config[k] != k8s_config[k]}
    assert differ <= {"TOUCHSTREAM_KAFKA_BOOTSTRAP", "TOUCHSTREAM_WORKER_DATA_DIR"}, differ


# --- compose ---------------------------------------------------------------------------------


def test_compose_services_get_their_settings_and_only_their_secrets() -> None:
    services = compose()["services"]
    for name in NEEDS:
        env = compose_env(name)
        missing = REQUIRED - env.keys()
        assert not missing, f"compose {name} lacks {missing}"
        assert env["TOUCHSTREAM_KAFKA_PROFILE"] == "production", name
        passwords = {k for k in env if "PASSWORD" in k}
        assert NEEDS[name] <= passwords <= MAY_HAVE[name], (name, passwords)
        for var in passwords:
            match = COMPOSE_SECRET.fullmatch(env[var])
            assert match and match["var"] == var, f"compose {name}.{var} = {env[var]!r}"
        assert services[name]["image"] == services["worker"]["image"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["worker"]["command"] == ["worker"]
    assert services["sink"]["command"] == ["sink"]
    assert services["collector"]["command"] == ["collector"]
    assert services["migrate"]["restart"] == "no"
    assert services["worker"]["deploy"]["replicas"] >= 1
    assert "number of partitions" in COMPOSE_FILE.read_text()
    assert services["sink"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully")


def test_compose_builds_the_production_image_and_mounts_existing_files() -> None:
    services = compose()["services"]
    build = services["worker"]["build"]
    context = (COMPOSE_FILE.parent / build["context"]).resolve()
    assert context == PRODUCTION.parents[1]
    assert (context / build["dockerfile"]).resolve() == PRODUCTION / "Dockerfile"
    dockerfile = (PRODUCTION / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs and all("[local" not in line for line in installs), installs
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["clickhouse"]["image"].startswith("clickhouse/clickhouse-server:")
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE_FILE.parent / source).exists(), f"{name}: {volume}"


# --- Kubernetes ------------------------------------------------------------------------------


def test_k8s_workloads_get_their_settings_and_only_their_secrets() -> None:
    config = config_map()
    assert not REQUIRED - config.keys(), REQUIRED - config.keys()
    assert config["TOUCHSTREAM_KAFKA_PROFILE"] == "production"
    for name, (kind, resource) in K8S_WORKLOADS.items():
        spec = pod_spec(k8s_object(kind, resource))
        for container in containers(spec):
            where = f"{resource}/{container['name']}"
            assert {"configMapRef": {"name": CONFIG_NAME}} in container.get("envFrom", []), where
            env = env_of(container)
            assert not REQUIRED & env.keys(), f"{where}: required settings come from the ConfigMap"
            passwords = {k for k in env if "PASSWORD" in k}
            wanted = NEEDS[name] if container in spec["containers"] else set()
            allowed = MAY_HAVE[name] if container in spec["containers"] else set()
            assert wanted <= passwords <= allowed, (where, passwords)
            for var in passwords:
                ref = env[var]["valueFrom"]["secretKeyRef"]
                assert ref == {"name": SECRET_NAME, "key": var}, (where, ref)
    assert k8s_object("Job", "touchstream-migrate")["spec"]["template"]["spec"]["containers"][0][
        "args"] == ["migrate"]


def test_k8s_worker_scales_and_is_ready_on_the_faust_web_port() -> None:
    worker = k8s_object("Deployment", "touchstream-worker")
    assert worker["spec"]["replicas"] == 2
    assert "number of partitions" in (K8S / "touchstream.yaml").read_text()
    (container,) = pod_spec(worker)["containers"]
    assert container["args"] == ["worker"]
    probe = container["readinessProbe"]["httpGet"]
    assert probe["path"] == "/"
    assert probe["port"] == int(config_map()["TOUCHSTREAM_WORKER_WEB_PORT"]) == 6066
    assert pod_spec(k8s_object("Deployment", "touchstream-sink"))["containers"][0]["args"] == [
        "sink"]


def test_k8s_every_container_has_requests_and_limits() -> None:
    for name, doc in workloads():
        for container in containers(pod_spec(doc)):
            resources = container.get("resources", {})
            assert {"cpu", "memory"} <= resources.get("requests", {}).keys(), (name, container)
            assert "memory" in resources.get("limits", {}), (name, container["name"])


def test_k8s_kafka_is_kraft_behind_a_headless_service_and_clickhouse_has_its_users() -> None:
    kafka = k8s_object("StatefulSet", "kafka")
    assert k8s_object("Service", kafka["spec"]["serviceName"])["spec"]["clusterIP"] == "None"
    (broker,) = pod_spec(kafka)["containers"]
    assert broker["image"].startswith("apache/kafka:")
    env = {e["name"]: e.get("value") for e in broker["env"]}
    assert "controller" in env["KAFKA_PROCESS_ROLES"] and env["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    clickhouse = pod_spec(k8s_object("StatefulSet", "clickhouse"))
    config_maps = {v["configMap"]["name"] for v in clickhouse["volumes"] if "configMap" in v}
    for name in config_maps:
        k8s_object("ConfigMap", name)
    mounts = {m["mountPath"] for m in clickhouse["containers"][0]["volumeMounts"]}
    assert any(m.startswith("/etc/clickhouse-server/users.d/") for m in mounts)


def test_k8s_secret_template_has_every_key_and_no_value() -> None:
    (template,) = load_yaml(K8S / SECRET_TEMPLATE)
    assert template["kind"] == "Secret" and template["metadata"]["name"] == SECRET_NAME
    assert "data" not in template, "a template has no base64 values"
    values = template["stringData"]
    assert all(v is None or str(v) in TEMPLATE_VALUES for v in values.values()), values
    referenced = {
        e["valueFrom"]["secretKeyRef"]["key"]
        for _, doc in workloads()
        for c in containers(pod_spec(doc))
        for e in c.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert referenced <= values.keys(), referenced - values.keys()
    assert "kubectl create secret" in (K8S / SECRET_TEMPLATE).read_text()


def test_k8s_configmaps_are_up_to_date_copies() -> None:
    sync = sync_module()
    for output in sync.CONFIGMAPS:
        assert (K8S / output).read_text() == sync.render(output), (
            f"k8s/{output} is stale: run python deploy/production/sync_k8s_configmaps.py")
        for doc in load_yaml(K8S / output):
            for key, source in sync.CONFIGMAPS[output][doc["metadata"]["name"]].items():
                assert doc["data"][key] == (PRODUCTION / source).read_text()


# --- no literal password ---------------------------------------------------------------------


def test_no_literal_password_in_any_structure() -> None:
    offenders = []
    for path in yaml_files():
        for doc in load_yaml(path):
            if path.name == SECRET_TEMPLATE:
                continue
            for where, key, value in walk(doc):
                is_reference = isinstance(value, str) and ENV_REFERENCE.fullmatch(value)
                if (isinstance(key, str) and "password" in key.lower()
                        and not isinstance(value, (dict, list)) and not is_reference):
                    offenders.append(f"{path.name}{where}.{key} = {value!r}")
                # A Kubernetes env entry: {name: ..._PASSWORD, value: ...} is a literal.
                if key == "name" and isinstance(value, str) and "PASSWORD" in value.upper():
                    parent = _parent(doc, where)
                    if isinstance(parent, dict) and "value" in parent:
                        offenders.append(f"{path.name}{where}: {value} has a literal value")
                    if (isinstance(parent, dict) and "valueFrom" in parent
                            and "secretKeyRef" not in parent["valueFrom"]):
                        offenders.append(f"{path.name}{where}: {value} not from a Secret")
    assert not offenders, offenders


def _parent(doc: Any, where: str) -> Any:
    node = doc
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", where):
        node = node[part[0]] if part[0] else node[int(part[1])]
    return node


def test_no_literal_password_in_any_file() -> None:
    # key = value or key: value where the key mentions a password: the value must be a
    # reference, empty or the template placeholder. In prose (Markdown) only env var names
    # count as keys, so that "passwords: the users ..." is not taken for one.
    value = r"[\"']?\s*[:=]\s*(?P<value>[^\s,}#]*)"
    assignment = re.compile(rf"(?i)[\w.-]*passw(or)?d[\w.-]*{value}")
    env_assignment = re.compile(rf"[A-Z0-9_]*PASSWORD[A-Z0-9_]*{value}")
    allowed = re.compile(r"[\"']?(\$.*|REPLACE_ME|[\"']{2})?")
    for path in text_files():
        pattern = env_assignment if path.suffix == ".md" else assignment
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in pattern.finditer(line):
                value = match["value"]
                assert allowed.fullmatch(value), f"{path.relative_to(PRODUCTION)}:{number}: {line}"


def test_clickhouse_passwords_come_only_from_the_environment() -> None:
    root = users_xml()
    for element in root.iter():
        if "password" in element.tag:
            assert element.tag == "password", f"no digests or literals either: {element.tag}"
            assert (element.text or "").strip() == "", "literal ClickHouse password"
            assert element.get("from_env") in PASSWORD_VARS, element.attrib
    from_env = {str(e.get("from_env")) for e in root.iter("password")}
    # The server gets those variables, from .env in compose and from the Secret in k8s.
    server = compose_env("clickhouse")
    assert from_env <= server.keys()
    for var in from_env:
        match = COMPOSE_SECRET.fullmatch(server[var])
        assert match and match["var"] == var
    assert COMPOSE_SECRET.fullmatch(server["CLICKHOUSE_PASSWORD"])["var"] == (  # type: ignore[index]
        _password_var("ADMIN"))
    k8s_env = env_of(pod_spec(k8s_object("StatefulSet", "clickhouse"))["containers"][0])
    for var in from_env | {"CLICKHOUSE_PASSWORD"}:
        assert "secretKeyRef" in k8s_env[var]["valueFrom"], var


# --- ClickHouse users and Grafana ------------------------------------------------------------


def test_clickhouse_users_writer_inserts_and_bi_reads_only() -> None:
    config = config_map()
    database = config["TOUCHSTREAM_CLICKHOUSE_DATABASE"]
    root = users_xml()
    users = root.find("users")
    assert users is not None
    writer = users.find(config["TOUCHSTREAM_CLICKHOUSE_WRITER_USER"])
    bi = users.find(config["TOUCHSTREAM_CLICKHOUSE_BI_USER"])
    assert writer is not None and bi is not None

    def grants(user: ET.Element) -> list[str]:
        return [" ".join((q.text or "").split()) for q in user.iter("query")]

    assert grants(writer) == [f"GRANT INSERT, SELECT ON {database}.*"]
    assert grants(bi) == [f"GRANT SELECT ON {database}.*"]
    assert writer.find("password").get("from_env") == _password_var("WRITER")  # type: ignore[union-attr]
    assert bi.find("password").get("from_env") == _password_var("BI")  # type: ignore[union-attr]
    profile = bi.findtext("profile")
    assert profile == "readonly"
    assert root.findtext(f"profiles/{profile}/readonly") == "1"
    assert writer.findtext("profile") != profile
    # Grafana's client sets max_execution_time, which readonly=1 refuses unless allowed.
    assert root.find(f"profiles/{profile}/constraints/max_execution_time/changeable_in_readonly") \
        is not None
    # Users live in the files only: migrate then leaves them alone instead of failing to ALTER
    # a file-defined user.
    directories = ET.parse(SERVER_CONFIG_FILE).getroot().find("user_directories")
    assert directories is not None and directories.get("replace") == "replace"
    assert [child.tag for child in directories] == ["users_xml"]


def test_clickhouse_users_accept_only_loopback_and_private_networks() -> None:
    """The admin user too: the image's entrypoint gives the user named by CLICKHOUSE_USER any
    address, in users.d/default-user.xml, which this file (users.d/touchstream.xml) follows."""
    config = config_map()
    users = users_xml().find("users")
    assert users is not None
    admin = compose_env("clickhouse")["CLICKHOUSE_USER"]
    k8s_env = env_of(pod_spec(k8s_object("StatefulSet", "clickhouse"))["containers"][0])
    assert k8s_env["CLICKHOUSE_USER"]["value"] == admin
    assert users.find(f"{admin}/networks").get("replace") == "replace"  # type: ignore[union-attr]
    # Where each deployment mounts this file: after the entrypoint's file, in name order.
    ch_mounts = [v.split(":")[1] for v in compose()["services"]["clickhouse"]["volumes"]]
    ch_pod = pod_spec(k8s_object("StatefulSet", "clickhouse"))["containers"][0]
    ch_mounts += [m["mountPath"] for m in ch_pod["volumeMounts"]]
    users_d = [Path(m).name for m in ch_mounts if Path(m).parent.name == "users.d"]
    assert len(users_d) == 2 and all(name > "default-user.xml" for name in users_d)
    names = (
        config["TOUCHSTREAM_CLICKHOUSE_WRITER_USER"],
        config["TOUCHSTREAM_CLICKHOUSE_BI_USER"],
        admin,
    )
    networks = {name: [ip.text or "" for ip in users.iterfind(f"{name}/networks/ip")]
                for name in names}
    for name, addresses in networks.items():
        assert addresses, f"{name} names no networks"
        # ::/0 and 0.0.0.0/0 are global; a host or range of an internal network is not.
        reachable = [a for a in addresses if ipaddress.ip_network(a).is_global]
        assert not reachable, f"{name} accepts {reachable}"
        assert users.find(f"{name}/networks/host_regexp") is None
        assert users.find(f"{name}/networks/host") is None
    assert networks[names[0]] == networks[names[1]] == networks[names[2]]


def test_grafana_datasource_is_clickhouse_as_the_bi_user() -> None:
    (provisioning,) = load_yaml(DATASOURCE_FILE)
    sources = {source["uid"]: source for source in provisioning["datasources"]}
    assert sources.keys() == {"touchstream-clickhouse", "touchstream-prometheus"}
    source = sources["touchstream-clickhouse"]
    assert source["type"] == "grafana-clickhouse-datasource"
    config = config_map()
    assert source["jsonData"]["username"] == config["TOUCHSTREAM_CLICKHOUSE_BI_USER"]
    assert source["jsonData"]["host"] == config["TOUCHSTREAM_CLICKHOUSE_HOST"]
    assert str(source["jsonData"]["port"]) == config["TOUCHSTREAM_CLICKHOUSE_PORT"]
    assert source["jsonData"]["defaultDatabase"] == config["TOUCHSTREAM_CLICKHOUSE_DATABASE"]
    password = source["secureJsonData"]["password"]
    assert password in {f"${_password_var('BI')}", f"${{{_password_var('BI')}}}"}
    # Grafana's container has that variable from a secret, and no other Touchstream password.
    grafana_compose = compose_env("grafana")
    assert {k for k in grafana_compose if k.startswith(ENV_PREFIX)} == {_password_var("BI")}
    grafana_k8s = env_of(pod_spec(k8s_object("Deployment", "grafana"))["containers"][0])
    assert grafana_k8s[_password_var("BI")]["valueFrom"]["secretKeyRef"]["key"] == (
        _password_var("BI"))
    assert not {k for k in grafana_k8s if k.startswith(ENV_PREFIX)} - {_password_var("BI")}
    assert "grafana-clickhouse-datasource" in grafana_compose["GF_INSTALL_PLUGINS"]
    assert "grafana-clickhouse-datasource" in grafana_k8s["GF_INSTALL_PLUGINS"]["value"]


# --- the dashboard ---------------------------------------------------------------------------


def queries() -> list[tuple[str, str]]:
    """(where, SQL) of every panel target and every templating query."""
    doc = dashboard()
    found = [(f"panel {p['title']!r}", t["rawSql"]) for p in doc["panels"]
             for t in p.get("targets", [])]
    for variable in doc.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]
            found.append((f"variable {variable['name']}",
                          query if isinstance(query, str) else query["rawSql"]))
    return found


def relations(sql: str) -> list[str]:
    names = re.findall(r"(?i)\b(?:from|join)\s+(?!\()`?(?:(\w+)`?\.`?)?(\w+)`?", sql)
    for database, _ in names:
        assert database in {"", "touchstream"}, sql
    return [name for _, name in names]


def test_dashboard_is_the_channels_dashboard_on_the_provisioned_datasource() -> None:
    doc = dashboard()
    assert doc["title"] == "Touchstream — channels"
    (provisioning,) = load_yaml(DATASOURCE_FILE)
    uid = provisioning["datasources"][0]["uid"]
    for panel in doc["panels"]:
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target.get("datasource", panel["datasource"])["uid"] == uid
            assert target["rawSql"].strip(), panel["title"]
    ids = [p["id"] for p in doc["panels"]]
    assert len(ids) == len(set(ids))


def test_dashboard_reads_only_the_bi_views() -> None:
    used = set()
    for where, sql in queries():
        names = relations(sql)
        assert names, f"{where}: no FROM"
        unknown = set(names) - VIEW_COLUMNS.keys()
        assert not unknown, f"{where} reads {unknown}: only the BI views {sorted(VIEW_COLUMNS)}"
        used |= set(names)
    assert used == VIEW_COLUMNS.keys(), f"unused views: {VIEW_COLUMNS.keys() - used}"


def test_dashboard_filters_time_on_hour_and_recombines_rates_from_counts() -> None:
    aggregated_rate = re.compile(
        rf"(?i)\b(avg|sum|min|max|any|median|quantile\w*(\([^)]*\))?)\s*\(\s*"
        rf"({'|'.join(sorted(NOT_ADDITIVE))})\s*\)")
    aggregate_argument = re.compile(r"\b(?:sum|countIf|count|max|min)\(\s*(\w+)")
    for where, sql in queries():
        names = set(relations(sql))
        if where.startswith("panel") and names & HOURLY_VIEWS:
            assert "$__timeFilter(hour)" in sql, f"{where}: filter the range on hour"
        if where.startswith("panel") and "sla_breaches" in names:
            assert re.search(r"\$__timeFilter\(\w+\)", sql), where
        match = aggregated_rate.search(sql)
        assert not match, f"{where}: {match and match.group(0)} - recombine from the counts"
        (view, *others) = sorted(names)
        if not others:
            for column in aggregate_argument.findall(sql):
                assert column in VIEW_COLUMNS[view], f"{where}: {view} has no column {column}"
    sql_by_panel = dict(queries())
    csat = [s for w, s in sql_by_panel.items() if "csat_pct" in s]
    assert csat and all(
        re.search(r"sum\(csat_satisfied\)\s*\*\s*100\s*/\s*nullIf\(sum\(csat_responses\)", s)
        for s in csat)


def exposed_metric_names() -> set[str]:
    """Every sample name the worker, the sink, the webhook and the collector can expose (the
    worker's and the webhook's register on import in the default registry, the sink's in its
    own)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    names = set()
    for registry in (REGISTRY, sinks.metrics.REGISTRY, CollectorMetrics().registry):
        for metric in registry.collect():
            names |= {metric.name + suffix for suffix in suffixes.get(metric.type, ("",))}
    return names


def test_operations_dashboard_reads_only_metrics_the_code_exposes() -> None:
    doc = json.loads((PRODUCTION / "grafana" / "dashboards" / "operations.json").read_text())
    assert doc["title"] == "Touchstream — operations"
    exposed = exposed_metric_names()
    used = set()
    for panel in doc["panels"]:
        assert panel["datasource"]["uid"] == "touchstream-prometheus", panel["title"]
        for target in panel["targets"]:
            used |= set(re.findall(r"\b(touchstream_\w+)", target["expr"]))
    assert used and used <= exposed, used - exposed
