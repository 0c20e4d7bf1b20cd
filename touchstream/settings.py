"""The one typed settings object. Every field is read from the env var ``TOUCHSTREAM_<FIELD>``
(e.g. ``kafka_bootstrap`` <- ``TOUCHSTREAM_KAFKA_BOOTSTRAP``); local and production use the same
keys."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Tansu holds every fetch this long, so it is latency on each hop (scenario freshness at 500/s,
# p50: 1.35 s with Faust's 1,500 ms, 0.66 s with 50). Shorter waits mean more polls when idle:
# an idle worker used 1.8% of a core at 500 ms, 2.6% at 100, 5.2% at 20.
LOCAL_FETCH_MAX_WAIT_MS = 50


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOUCHSTREAM_", frozen=True, extra="ignore")

    # --- Kafka -------------------------------------------------------------------------------
    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="host:port[,host:port] of the brokers"
    )
    kafka_profile: Literal["local", "production"] = Field(
        "local",
        description="'local' turns on the workarounds for the Tansu test broker "
        "(short group timeouts, one record per changelog batch, a 50 ms fetch wait); never use "
        "it on real Kafka.",
    )
    kafka_fetch_max_wait_ms: int | None = Field(
        None,
        ge=0,
        description="longest the broker may hold a consumer's fetch waiting for data; unset: "
        "50 on the local profile (Tansu holds every fetch this long, even with data waiting), "
        "500 on production (Kafka's default; Kafka answers as soon as data arrives)",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="how every Kafka client connects (touchstream/security.py)"
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")
    kafka_ssl_cafile: Path | None = Field(
        None,
        description="PEM CA bundle the brokers' certificates are checked against; "
        "unset means the system's trusted CAs",
    )
    kafka_ssl_certfile: Path | None = Field(None, description="client certificate (mutual TLS)")
    kafka_ssl_keyfile: Path | None = Field(None, description="its private key")
    topic_partitions: int = Field(4, ge=1, description="partitions for topics Touchstream creates")
    topic_replication: int = Field(1, ge=1, description="replication factor for created topics")
    topic_touchpoints: str = "cx.touchpoints"
    topic_feedback: str = "cx.feedback"
    topic_alerts: str = "cx.alerts"
    topic_deadletter: str = "cx.deadletter"
    topic_windows: str = "cx.windows"
    topic_fact_touchpoints: str = "cx.facts.touchpoints"
    topic_fact_feedback: str = "cx.facts.feedback"
    topic_fact_cases: str = "cx.facts.cases"

    # --- Faust worker --------------------------------------------------------------------------
    app_id: str = Field("touchstream", description="Faust app id: consumer group and table prefix")
    worker_data_dir: Path = Field(Path(".touchstream/worker"), description="Faust local state")
    worker_web_port: int = Field(6066, description="Faust web/metrics port of the worker")
    worker_loop: Literal["uvloop", "aio"] = Field(
        "uvloop", description="the worker's event loop: uvloop, or asyncio's own ('aio')"
    )
    allowed_lateness_s: int = Field(600, ge=0, description="event-time lateness windows accept")
    window_emit_interval_s: float = Field(
        10.0, gt=0, description="how often an open window's running result is re-emitted"
    )
    input_batch_max: int = Field(
        500, gt=0, description="most records the touchpoint and feedback agents take as one batch"
    )
    input_batch_wait_s: float = Field(
        0.05, gt=0, description="longest those agents wait to fill a batch"
    )
    window_start_hold_s: float = Field(
        10.0,
        ge=0,
        description="how long after a worker starts an input partition it has not read from yet "
        "holds a channel's windows open and, if it has a backlog, the other partitions' events "
        "back (a cold worker's first batches come from few partitions)",
    )
    window_batch_max: int = Field(
        1000, gt=0, description="most contributions records the windows agent takes as one batch"
    )
    window_batch_wait_s: float = Field(
        0.1, gt=0, description="longest the windows agent waits to fill a batch"
    )
    # Common contact-center practice where domain.md is silent: a resolved case is kept for the
    # FCR reopen window (7 days) after its last event, and a case nobody touches for 30 days is
    # treated as abandoned; the worker then forgets it (its facts stay in ClickHouse).
    case_resolved_keep_s: int = Field(
        7 * 86_400, gt=0, description="event time a resolved case is kept after its last event"
    )
    case_idle_keep_s: int = Field(
        30 * 86_400, gt=0, description="event time an unresolved case is kept after its last event"
    )
    state_sweep_s: float = Field(
        60.0, gt=0, description="how often the worker sweeps its tables for expired entries"
    )
    dedup_ttl_s: int = Field(
        86_400, gt=0, description="how long an event/feedback id is remembered"
    )
    liveness_stall_s: float = Field(
        30.0,
        gt=0,
        description="GET /healthz on the worker fails when an input partition has had records "
        "waiting this long without progress",
    )

    # --- Feedback text ---------------------------------------------------------------------------
    text_languages: Annotated[tuple[str, ...], NoDecode] = Field(
        ("en", "sw", "he", "tl", "fa"),
        description="languages a comment without one may be detected as, comma-separated; "
        'anything else is "und"',
    )

    @field_validator("text_languages", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    # --- SLA and alerts --------------------------------------------------------------------------
    sla_first_response_s: dict[str, float] = Field(
        default_factory=dict,
        description="first-response standards in seconds by channel, overriding the defaults "
        'of domain.md; JSON, e.g. {"chat": 120, "email": 14400}',
    )
    watermark_idle_s: float = Field(
        60.0,
        gt=0,
        description="after this many seconds without events on a partition, its event-time "
        "clock follows the wall clock, so SLA deadlines pass even when traffic stops; and a "
        "partition that sent a channel nothing for this long no longer holds the channel's "
        "windows open",
    )
    watermark_max_skew_s: float = Field(
        21600.0,
        gt=0,
        description="a channel's windows close once its furthest input partition is this far "
        "ahead in event time, even if another is still behind (bounds the open windows, one "
        "table value per channel; contributions from further behind count as late)",
    )
    watermark_max_drift_s: float = Field(
        300.0,
        gt=0,
        description="a worker pauses reading an input partition that is this far ahead in "
        "event time of the slowest one it is reading, and holds back the events of it already "
        "read, until that one catches up",
    )
    watermark_align_interval_s: float = Field(
        1.0,
        gt=0,
        description="how often a worker compares its input partitions' event times to pause and "
        "resume them; a backlog read in less time than this is never paused",
    )
    alert_webhook_url: SecretStr | None = Field(
        None, description="POST every alert as JSON here (secret: such URLs often hold a token)"
    )
    alert_webhook_timeout_s: float = Field(5.0, gt=0, description="timeout of one webhook POST")
    alert_webhook_max_backoff_s: float = Field(
        60.0, gt=0, description="cap of the backoff between webhook retries"
    )

    # --- ClickHouse ----------------------------------------------------------------------------
    clickhouse_host: str = "127.0.0.1"
    clickhouse_port: int = 8123
    clickhouse_secure: bool = Field(False, description="HTTPS to ClickHouse")
    clickhouse_verify: bool = Field(True, description="check the server's certificate (HTTPS)")
    clickhouse_ca_cert: Path | None = Field(
        None, description="PEM CA bundle for the server's certificate; unset: system CAs"
    )
    clickhouse_database: str = "touchstream"
    clickhouse_admin_user: str = "default"
    clickhouse_admin_password: SecretStr = SecretStr("")
    clickhouse_writer_user: str = "touchstream_writer"
    clickhouse_writer_password: SecretStr = SecretStr("")
    clickhouse_bi_user: str = "touchstream_bi"
    clickhouse_bi_password: SecretStr = SecretStr("")
    facts_ttl_days: int = Field(400, gt=0, description="TTL of raw fact rows in ClickHouse")

    # --- Sink ----------------------------------------------------------------------------------
    # 50,000 rows got 89% and 91% of the best rows/s in two runs (python -m bench sink, to 100,000)
    # and is within ClickHouse's advice of 10k-100k rows an insert. Below 50,000 rows a second
    # the time limit flushes first, so a row waits at most that long in the sink, at about one
    # insert per table a second.
    sink_batch_rows: int = Field(50_000, gt=0, description="flush a batch at this many rows")
    sink_batch_seconds: float = Field(1.0, gt=0, description="or when its oldest row is this old")
    sink_retry_max_s: float = Field(30.0, gt=0, description="cap of the retry backoff")
    sink_metrics_port: int = Field(
        6067, ge=0, description="port of the sink's /metrics (Prometheus); 0 turns it off"
    )

    # --- Collector ----------------------------------------------------------------------------
    collector_host: str = Field("127.0.0.1", description="address the HTTP collector binds")
    collector_port: int = Field(8088, description="port of the HTTP collector")
    collector_api_keys: SecretStr = Field(
        SecretStr(""),
        description="one API key per source, 'source=key,source=key'; the source name is "
        "stamped on what that key posts",
    )
    collector_cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="origins a browser may post from, comma-separated ('*' for any)"
    )
    collector_max_body_bytes: int = Field(1_048_576, gt=0, description="larger bodies get 413")
    collector_max_batch_items: int = Field(500, gt=0, description="longer batches get 413")

    @field_validator("collector_cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    # --- Local services (dev/demo/tests only) -------------------------------------------------
    state_dir: Path = Field(
        Path(".touchstream"), description="pid files, logs and data of local services"
    )
    local_broker_port: int = 9092
    local_clickhouse_port: int = 8123

    @property
    def fetch_max_wait_ms(self) -> int:
        """``kafka_fetch_max_wait_ms``, or its profile's default."""
        if self.kafka_fetch_max_wait_ms is not None:
            return self.kafka_fetch_max_wait_ms
        return LOCAL_FETCH_MAX_WAIT_MS if self.kafka_profile == "local" else 500


def load_settings() -> Settings:
    """Env vars win; then ``<state_dir>/local.env``, where `touchstream local up` keeps the
    passwords it generated for the local services, so that no secret lives in code. Production
    sets every password through its environment and has no such file."""
    state_dir = Path(os.environ.get("TOUCHSTREAM_STATE_DIR", ".touchstream"))
    return Settings(_env_file=state_dir / "local.env")  # type: ignore[call-arg]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
