-- The BI views (README, "BI views"). They read the ReplacingMergeTree facts with FINAL, so a fact
-- delivered twice counts once and every time range is exact; times are event time, UTC. Every
-- rate comes with the counts it is made of; a rate over zero responses is NULL, not 0.
--
-- Percentiles use quantileExactInclusive: exact, linearly interpolated between the two nearest
-- values (numpy.percentile's default; Excel's PERCENTILE.INC). The stream's windows estimate
-- theirs with a DDSketch, so the two can differ by the sketch's 1 % relative error.

-- Satisfaction per hour of submission and channel of the experience.
-- CSAT % = answers scored 4-5 / CSAT answers x 100; NPS = % promoters (9-10) - % detractors
-- (0-6); CES easy % = answers scored 5-7 / CES answers x 100. The _multi/_single columns split
-- CSAT by whether the case used two or more channels.
CREATE VIEW IF NOT EXISTS ${database}.channel_satisfaction_hourly AS
SELECT
    toStartOfHour(toDateTime(submitted_at, 'UTC')) AS hour,
    channel,
    countIf(survey = 'csat') AS csat_responses,
    countIf(survey = 'csat' AND score >= 4) AS csat_satisfied,
    csat_satisfied / nullIf(csat_responses, 0) * 100 AS csat_pct,
    if(csat_responses = 0, NULL, avgIf(score, survey = 'csat')) AS csat_avg,
    countIf(survey = 'nps') AS nps_responses,
    countIf(survey = 'nps' AND score >= 9) AS nps_promoters,
    countIf(survey = 'nps' AND score <= 6) AS nps_detractors,
    (nps_promoters - nps_detractors) / nullIf(nps_responses, 0) * 100 AS nps,
    countIf(survey = 'ces') AS ces_responses,
    countIf(survey = 'ces' AND score >= 5) AS ces_easy,
    ces_easy / nullIf(ces_responses, 0) * 100 AS ces_easy_pct,
    if(ces_responses = 0, NULL, avgIf(score, survey = 'ces')) AS ces_avg,
    countIf(survey = 'csat' AND multi_channel = 1) AS csat_multi_responses,
    countIf(survey = 'csat' AND multi_channel = 1 AND score >= 4) AS csat_multi_satisfied,
    csat_multi_satisfied / nullIf(csat_multi_responses, 0) * 100 AS csat_multi_pct,
    countIf(survey = 'csat' AND multi_channel = 0) AS csat_single_responses,
    countIf(survey = 'csat' AND multi_channel = 0 AND score >= 4) AS csat_single_satisfied,
    csat_single_satisfied / nullIf(csat_single_responses, 0) * 100 AS csat_single_pct
FROM ${database}.feedback FINAL
GROUP BY hour, channel;

-- Response times per hour and channel of the case's contact_opened (the domain attributes FRT to
-- that channel), over the latest state of each case. FRT and TTR in seconds; FCR % = FCR cases /
-- resolved cases x 100. A case whose contact_opened has not arrived yet is left out until it does.
CREATE VIEW IF NOT EXISTS ${database}.channel_response_times_hourly AS
SELECT
    toStartOfHour(toDateTime(assumeNotNull(opened_at), 'UTC')) AS hour,
    assumeNotNull(first_channel) AS channel,
    count() AS cases_opened,
    countIf(frt_s IS NOT NULL) AS first_responses,
    avg(frt_s) AS frt_avg_s,
    if(first_responses = 0, NULL, quantileExactInclusive(0.5)(frt_s)) AS frt_p50_s,
    if(first_responses = 0, NULL, quantileExactInclusive(0.9)(frt_s)) AS frt_p90_s,
    if(first_responses = 0, NULL, quantileExactInclusive(0.99)(frt_s)) AS frt_p99_s,
    countIf(resolved_at IS NOT NULL) AS resolved,
    if(resolved = 0, NULL, quantileExactInclusive(0.5)(ttr_s)) AS ttr_p50_s,
    if(resolved = 0, NULL, quantileExactInclusive(0.9)(ttr_s)) AS ttr_p90_s,
    if(resolved = 0, NULL, quantileExactInclusive(0.99)(ttr_s)) AS ttr_p99_s,
    countIf(fcr = 1) AS fcr_cases,
    fcr_cases / nullIf(resolved, 0) * 100 AS fcr_pct,
    countIf(sla_breached = 1) AS sla_breaches,
    countIf(multi_channel = 1) AS multi_channel_cases,
    avgIf(frt_s, multi_channel = 1) AS frt_multi_avg_s,
    avgIf(frt_s, multi_channel = 0) AS frt_single_avg_s,
    countIf(abandoned = 1) AS abandoned_cases,
    countIf(ivr_entered = 1) AS ivr_entered,
    countIf(ivr_escaped = 1) AS ivr_escapes,
    ivr_escapes / nullIf(ivr_entered, 0) * 100 AS ivr_escape_pct
FROM ${database}.cases FINAL
WHERE opened_at IS NOT NULL AND first_channel IS NOT NULL
GROUP BY hour, channel;

-- One row per case that passed its first-response deadline unanswered (known at the deadline).
-- late_by_s: how late the first response came, NULL while there is none yet.
CREATE VIEW IF NOT EXISTS ${database}.sla_breaches AS
SELECT
    case_id,
    customer_id,
    first_channel AS channel,
    opened_at,
    sla_deadline,
    first_response_at,
    frt_s,
    dateDiff('millisecond', sla_deadline, first_response_at) / 1000 AS late_by_s,
    resolved_at,
    multi_channel
FROM ${database}.cases FINAL
WHERE sla_breached = 1;

-- Cases not resolved yet, with how long they have been open (seconds, against now()) and
-- whether they still await a first response. A case fact carries its first resolution only, so a
-- case reopened after it shows here only until it had been resolved once (see reopened).
CREATE VIEW IF NOT EXISTS ${database}.open_cases AS
SELECT
    case_id,
    customer_id,
    first_channel AS channel,
    opened_at,
    dateDiff('millisecond', opened_at, now64(3)) / 1000 AS open_for_s,
    first_response_at IS NULL AS awaiting_first_response,
    sla_deadline,
    sla_breached,
    customer_contacts,
    channels,
    reopened
FROM ${database}.cases FINAL
WHERE resolved_at IS NULL;

-- Feedback themes per day of submission, channel and theme: an answer with several themes counts
-- once under each. Rates as in channel_satisfaction_hourly.
CREATE VIEW IF NOT EXISTS ${database}.feedback_themes_daily AS
SELECT
    toDate(submitted_at, 'UTC') AS day,
    channel,
    theme,
    count() AS responses,
    countIf(detractor = 1) AS detractors,
    countIf(survey = 'csat') AS csat_responses,
    countIf(survey = 'csat' AND score >= 4) AS csat_satisfied,
    csat_satisfied / nullIf(csat_responses, 0) * 100 AS csat_pct,
    countIf(survey = 'nps') AS nps_responses,
    countIf(survey = 'nps' AND score >= 9) AS nps_promoters,
    countIf(survey = 'nps' AND score <= 6) AS nps_detractors,
    (nps_promoters - nps_detractors) / nullIf(nps_responses, 0) * 100 AS nps
FROM ${database}.feedback FINAL
ARRAY JOIN themes AS theme
GROUP BY day, channel, theme;

-- Touchpoints per hour, channel and event type, distinct by event id (from the rollup in
-- 0003_rollups.sql, exact under replays).
CREATE VIEW IF NOT EXISTS ${database}.channel_activity_hourly AS
SELECT
    hour,
    channel,
    event_type,
    uniqExactMerge(events) AS events,
    uniqExactMerge(customers) AS customers,
    uniqExactMerge(cases) AS cases
FROM ${database}.touchpoints_hourly_state
GROUP BY hour, channel, event_type;
