-- channel_satisfaction_hourly splits CSAT into multi- and single-channel cases by the case's latest
-- state in `cases`, no longer by what the worker knew of the case when the answer arrived. The
-- worker reads the feedback and touchpoint topics each at its own pace, so a replaying worker could
-- enrich an answer before its case's touchpoints and the split would depend on timing. An answer
-- whose case has not landed (or that has no case) keeps the worker's value. Same columns as 0004.
DROP VIEW IF EXISTS ${database}.channel_satisfaction_hourly;

CREATE VIEW IF NOT EXISTS ${database}.channel_satisfaction_hourly AS
SELECT
    toStartOfHour(toDateTime(f.submitted_at, 'UTC')) AS hour,
    f.channel AS channel,
    countIf(f.survey = 'csat') AS csat_responses,
    countIf(f.survey = 'csat' AND f.score >= 4) AS csat_satisfied,
    csat_satisfied / nullIf(csat_responses, 0) * 100 AS csat_pct,
    if(csat_responses = 0, NULL, avgIf(f.score, f.survey = 'csat')) AS csat_avg,
    countIf(f.survey = 'nps') AS nps_responses,
    countIf(f.survey = 'nps' AND f.score >= 9) AS nps_promoters,
    countIf(f.survey = 'nps' AND f.score <= 6) AS nps_detractors,
    (nps_promoters - nps_detractors) / nullIf(nps_responses, 0) * 100 AS nps,
    countIf(f.survey = 'ces') AS ces_responses,
    countIf(f.survey = 'ces' AND f.score >= 5) AS ces_easy,
    ces_easy / nullIf(ces_responses, 0) * 100 AS ces_easy_pct,
    if(ces_responses = 0, NULL, avgIf(f.score, f.survey = 'ces')) AS ces_avg,
    countIf(f.survey = 'csat' AND multi = 1) AS csat_multi_responses,
    countIf(f.survey = 'csat' AND multi = 1 AND f.score >= 4) AS csat_multi_satisfied,
    csat_multi_satisfied / nullIf(csat_multi_responses, 0) * 100 AS csat_multi_pct,
    countIf(f.survey = 'csat' AND multi = 0) AS csat_single_responses,
    countIf(f.survey = 'csat' AND multi = 0 AND f.score >= 4) AS csat_single_satisfied,
    csat_single_satisfied / nullIf(csat_single_responses, 0) * 100 AS csat_single_pct
FROM
(
    SELECT
        fb.submitted_at AS submitted_at,
        fb.channel AS channel,
        fb.survey AS survey,
        fb.score AS score,
        if(c.case_id = '', fb.multi_channel, c.multi_channel) AS multi
    FROM ${database}.feedback AS fb FINAL
    LEFT JOIN
    (
        SELECT case_id, multi_channel FROM ${database}.cases FINAL WHERE opened_at IS NOT NULL
    ) AS c ON fb.case_id = c.case_id
) AS f
GROUP BY hour, channel;
