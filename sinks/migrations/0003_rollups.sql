-- A materialized view rollup of touchpoints per hour, channel and event type.
--
-- A materialized view fires on every inserted block, so a replayed batch reaches it twice. On a
-- real server, insert_deduplication_token with deduplicate_blocks_in_dependent_materialized_views
-- would stop that; the local chdb server drops the repeated block from the table but still feeds
-- it to the views (deploy/local/CLICKHOUSE.md). So this rollup keeps only states that a
-- duplicate cannot change: uniqExact sets of event and customer ids, which merge as set unions.
-- Sums, averages and quantiles would double on replay, so the BI views compute them from the
-- ReplacingMergeTree facts with FINAL instead (0004_bi_views.sql).
CREATE TABLE IF NOT EXISTS ${database}.touchpoints_hourly_state
(
    hour DateTime('UTC'),
    channel LowCardinality(String),
    event_type LowCardinality(String),
    events AggregateFunction(uniqExact, String),
    customers AggregateFunction(uniqExact, String),
    cases AggregateFunction(uniqExact, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (channel, hour, event_type)
TTL hour + INTERVAL ${facts_ttl_days} DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.touchpoints_hourly_mv
TO ${database}.touchpoints_hourly_state
AS SELECT
    toStartOfHour(occurred_at) AS hour,
    channel,
    event_type,
    uniqExactState(event_id) AS events,
    uniqExactState(customer_id) AS customers,
    -- browsing has no case; an empty id must not count as one
    uniqExactStateIf(case_id, case_id != '') AS cases
FROM ${database}.touchpoints
GROUP BY hour, channel, event_type;
