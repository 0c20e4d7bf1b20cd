-- Raw facts, as the worker published them (validated and deduplicated there). Every BI view
-- reads these with FINAL, so any time range is exact, including events that arrived later than
-- the stream's allowed lateness and so never reached a window.
--
-- Idempotency: the sink delivers at least once (a crash between the ClickHouse insert and the
-- Kafka commit replays the batch). ReplacingMergeTree collapses rows with equal sorting keys, so
-- each sorting key must identify one fact. For touchpoints it is (channel, hour, event_id): the
-- channel and the hour are fields of the event itself, so every copy of an event has the same
-- key, while leading with them keeps per-channel time-range scans pruned. FINAL also collapses
-- copies that a background merge has not reached yet. Copies of a fact always land in the same
-- partition, because the partition is a function of the fact's own event time.
--
-- ${facts_ttl_days} is the config value when this migration ran; a later change of
-- TOUCHSTREAM_FACTS_TTL_DAYS needs a new migration (ALTER TABLE ... MODIFY TTL).

CREATE TABLE IF NOT EXISTS ${database}.touchpoints
(
    event_id String,
    occurred_at DateTime64(3, 'UTC'),
    customer_id String,
    case_id String,
    channel LowCardinality(String),
    actor LowCardinality(String),
    event_type LowCardinality(String),
    journey_stage LowCardinality(String),
    agent_id Nullable(String),
    source LowCardinality(String),
    attributes Map(String, String),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (channel, toStartOfHour(occurred_at), event_id)
TTL toDateTime(occurred_at) + INTERVAL ${facts_ttl_days} DAY;

-- One row per survey answer; same keying argument as touchpoints, on feedback_id.
CREATE TABLE IF NOT EXISTS ${database}.feedback
(
    feedback_id String,
    submitted_at DateTime64(3, 'UTC'),
    customer_id String,
    case_id Nullable(String),
    channel LowCardinality(String),
    survey LowCardinality(String),
    score UInt8,
    comment_redacted Nullable(String),
    language LowCardinality(Nullable(String)),
    themes Array(LowCardinality(String)),
    csat_satisfied Nullable(UInt8),
    nps_category LowCardinality(Nullable(String)),
    ces_easy Nullable(UInt8),
    detractor UInt8,
    channel_path Array(LowCardinality(String)),
    multi_channel Nullable(UInt8),
    journey_stage LowCardinality(Nullable(String)),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(submitted_at)
ORDER BY (channel, toStartOfHour(submitted_at), feedback_id)
TTL toDateTime(submitted_at) + INTERVAL ${facts_ttl_days} DAY;

-- One row per case: the worker republishes a case after every event that changes it, with
-- version = events applied, so the highest version is the latest state. A replayed copy has the
-- same version and collapses too. Not partitioned by time: a case's key must stay in one part
-- lineage while it changes, and opened_at can be unknown (events before contact_opened).
CREATE TABLE IF NOT EXISTS ${database}.cases
(
    case_id String,
    customer_id String,
    first_channel LowCardinality(Nullable(String)),
    opened_at Nullable(DateTime64(3, 'UTC')),
    first_response_at Nullable(DateTime64(3, 'UTC')),
    frt_s Nullable(Float64),
    resolved_at Nullable(DateTime64(3, 'UTC')),
    ttr_s Nullable(Float64),
    customer_contacts UInt32,
    channels Array(LowCardinality(String)),
    multi_channel UInt8,
    fcr Nullable(UInt8),
    reopened UInt8,
    sla_deadline Nullable(DateTime64(3, 'UTC')),
    sla_breached UInt8,
    abandoned UInt8,
    ivr_entered UInt8,
    ivr_escaped UInt8,
    version UInt64,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY case_id;
