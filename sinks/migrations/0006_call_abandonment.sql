-- Abandon rate per hour and voice channel, as domain.md defines it: calls abandoned / (abandoned
-- + answered calls) x 100, on phone and IVR. (channel_response_times_hourly counts cases with an
-- abandoned call, which is not that rate.)
--
-- Which call a response answers is the worker's rule (streams/metrics/case_state.py), replayed
-- here over each case's raw touchpoints in event-time order, ties by event id: a customer
-- contact on a voice channel (contact_opened or customer_message) leaves a call waiting; the
-- next human agent_response on a voice channel answers it; a call_abandoned on a voice channel
-- is an abandoned call and ends the wait. So a response is an answered call exactly when the
-- voice step before it was a customer contact; agent-only legs (transfers, callbacks) count as
-- neither. Hour and channel are the answering or abandoning event's. Read from the facts, so
-- events later than the stream's allowed lateness count too; as in
-- channel_response_times_hourly, a case whose contact_opened has not arrived is left out.
CREATE VIEW IF NOT EXISTS ${database}.call_abandonment_hourly AS
SELECT
    toStartOfHour(toDateTime(occurred_at, 'UTC')) AS hour,
    channel,
    countIf(step = 'abandon') AS calls_abandoned,
    countIf(step = 'response' AND previous = 'contact') AS calls_answered,
    calls_abandoned / nullIf(calls_abandoned + calls_answered, 0) * 100 AS abandon_pct
FROM
(
    SELECT
        occurred_at,
        channel,
        step,
        lagInFrame(step, 1, '') OVER (
            PARTITION BY case_id ORDER BY occurred_at, event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS previous
    FROM
    (
        SELECT
            case_id,
            event_id,
            occurred_at,
            channel,
            multiIf(event_type = 'call_abandoned', 'abandon',
                    event_type = 'agent_response', 'response', 'contact') AS step
        FROM ${database}.touchpoints FINAL
        WHERE channel IN ('phone', 'ivr')
          AND (event_type IN ('contact_opened', 'customer_message', 'call_abandoned')
               OR (event_type = 'agent_response' AND actor != 'bot'))
          AND case_id IN (SELECT case_id FROM ${database}.cases FINAL WHERE opened_at IS NOT NULL)
    )
)
WHERE step != 'contact'
GROUP BY hour, channel;
