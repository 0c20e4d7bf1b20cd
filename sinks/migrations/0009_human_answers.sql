-- call_abandonment_hourly (0006) counts a call answered by a human agent only, as the worker does
-- since the same change: an agent_response sent by a system (an auto-acknowledgement) or a
-- customer is no human answer (domain.md: "agent_response (first or later human answer)"), and
-- 0006 let them through with anything but a bot. Otherwise the view is 0006's.
CREATE OR REPLACE VIEW ${database}.call_abandonment_hourly AS
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
               OR (event_type = 'agent_response' AND actor = 'agent'))
          AND case_id IN (SELECT case_id FROM ${database}.cases FINAL WHERE opened_at IS NOT NULL)
    )
)
WHERE step != 'contact'
GROUP BY hour, channel;
