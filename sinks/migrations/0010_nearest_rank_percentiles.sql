-- Percentiles in the BI views by the nearest rank, as the stream's windows estimate theirs
-- (streams/metrics/sketch.py): the p-th percentile of n values is the smallest with at least
-- p % of them at or below it, the value at 1-based rank ceil(p * n / 100) of the sorted values
-- (intDiv(p * n + 99, 100) in integers). A p90 is a time 90 % of the cases met; with few values
-- the slow ones show, where 0004's quantileExactInclusive interpolated between two values (the
-- p90 of FRTs of 60 and 3600 s was 3246 s, a time no case took). Otherwise the view is 0004's.
CREATE OR REPLACE VIEW ${database}.channel_response_times_hourly AS
SELECT
    toStartOfHour(toDateTime(assumeNotNull(opened_at), 'UTC')) AS hour,
    assumeNotNull(first_channel) AS channel,
    count() AS cases_opened,
    countIf(frt_s IS NOT NULL) AS first_responses,
    avg(frt_s) AS frt_avg_s,
    if(first_responses = 0, NULL, arraySort(groupArray(frt_s))[intDiv(50 * first_responses + 99, 100)]) AS frt_p50_s,
    if(first_responses = 0, NULL, arraySort(groupArray(frt_s))[intDiv(90 * first_responses + 99, 100)]) AS frt_p90_s,
    if(first_responses = 0, NULL, arraySort(groupArray(frt_s))[intDiv(99 * first_responses + 99, 100)]) AS frt_p99_s,
    countIf(resolved_at IS NOT NULL) AS resolved,
    if(resolved = 0, NULL, arraySort(groupArray(ttr_s))[intDiv(50 * resolved + 99, 100)]) AS ttr_p50_s,
    if(resolved = 0, NULL, arraySort(groupArray(ttr_s))[intDiv(90 * resolved + 99, 100)]) AS ttr_p90_s,
    if(resolved = 0, NULL, arraySort(groupArray(ttr_s))[intDiv(99 * resolved + 99, 100)]) AS ttr_p99_s,
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
