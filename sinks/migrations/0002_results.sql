-- What the worker computed and raised: window results, alerts, and dead letters.

-- A window is re-emitted while open and once more when final; revision is the emission time in
-- ms, so the latest (the final one, emitted last) wins. A replayed copy has an equal revision
-- and collapses as well.
CREATE TABLE IF NOT EXISTS ${database}.window_results
(
    window_kind LowCardinality(String),
    channel LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    final UInt8,
    revision UInt64,
    touchpoints Int64,
    contacts_opened Int64,
    csat_responses Int64,
    csat_satisfied Int64,
    csat_pct Nullable(Float64),
    csat_avg Nullable(Float64),
    nps_responses Int64,
    nps_promoters Int64,
    nps_detractors Int64,
    nps Nullable(Float64),
    ces_responses Int64,
    ces_easy Int64,
    ces_avg Nullable(Float64),
    ces_easy_pct Nullable(Float64),
    frt_count Int64,
    frt_avg_s Nullable(Float64),
    frt_p50_s Nullable(Float64),
    frt_p90_s Nullable(Float64),
    frt_p99_s Nullable(Float64),
    ttr_count Int64,
    ttr_p50_s Nullable(Float64),
    ttr_p90_s Nullable(Float64),
    ttr_p99_s Nullable(Float64),
    resolved Int64,
    fcr_cases Int64,
    fcr_pct Nullable(Float64),
    sla_breaches Int64,
    abandoned Int64,
    answered_calls Int64,
    abandon_pct Nullable(Float64),
    ivr_entered Int64,
    ivr_escapes Int64,
    ivr_escape_pct Nullable(Float64),
    csat_multi_responses Int64,
    csat_multi_satisfied Int64,
    csat_multi_pct Nullable(Float64),
    csat_single_responses Int64,
    csat_single_satisfied Int64,
    csat_single_pct Nullable(Float64),
    frt_multi_count Int64,
    frt_multi_avg_s Nullable(Float64),
    frt_single_count Int64,
    frt_single_avg_s Nullable(Float64),
    late_events Int64,
    late_updates Int64,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(revision)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_kind, channel, window_start)
TTL toDateTime(window_start) + INTERVAL ${facts_ttl_days} DAY;

-- alert_id is deterministic per condition; a condition that clears and holds again is raised
-- again at a later raised_at, which is why raised_at is part of the key.
CREATE TABLE IF NOT EXISTS ${database}.alerts
(
    alert_id String,
    kind LowCardinality(String),
    severity LowCardinality(String),
    channel LowCardinality(Nullable(String)),
    raised_at DateTime64(3, 'UTC'),
    subject_kind LowCardinality(String),
    subject_id String,
    summary String,
    figures Map(String, Float64),
    case_id Nullable(String),
    customer_id Nullable(String),
    comment_redacted Nullable(String),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(raised_at)
ORDER BY (kind, alert_id, raised_at)
TTL toDateTime(raised_at) + INTERVAL ${facts_ttl_days} DAY;

-- A record is dead-lettered once per position it was read from; a worker replay dead-letters
-- it again at a later dead_at, which the key (its source position) collapses; no time partition,
-- since copies with different dead_at could fall into different partitions, which FINAL does not
-- collapse across. The payload is base64 so that any bytes survive text output formats.
CREATE TABLE IF NOT EXISTS ${database}.dead_letters
(
    topic String,
    partition Int32,
    offset Int64,
    reason LowCardinality(String),
    detail String,
    payload String,
    dead_at DateTime64(3, 'UTC'),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY (topic, partition, offset)
TTL toDateTime(dead_at) + INTERVAL ${facts_ttl_days} DAY;
