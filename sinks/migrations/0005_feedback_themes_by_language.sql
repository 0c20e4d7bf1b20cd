-- Feedback themes per day of submission, channel, theme and language of the comment ("und" when it
-- could not be told): an answer with several themes counts once under each. `comments` is the
-- number of commented answers of the same day, channel and language, and `share_pct` the share of
-- them that mention the theme. `csat_avg` is the mean CSAT score (1-5) of the answers with the
-- theme; the other rates as in channel_satisfaction_hourly.
CREATE OR REPLACE VIEW ${database}.feedback_themes_daily AS
SELECT
    t.day AS day,
    t.channel AS channel,
    t.theme AS theme,
    t.lang AS language,
    t.responses AS responses,
    c.comments AS comments,
    t.responses / c.comments * 100 AS share_pct,
    t.detractors AS detractors,
    t.csat_responses AS csat_responses,
    t.csat_satisfied AS csat_satisfied,
    t.csat_satisfied / nullIf(t.csat_responses, 0) * 100 AS csat_pct,
    t.csat_avg AS csat_avg,
    t.nps_responses AS nps_responses,
    t.nps_promoters AS nps_promoters,
    t.nps_detractors AS nps_detractors,
    (t.nps_promoters - t.nps_detractors) / nullIf(t.nps_responses, 0) * 100 AS nps
FROM
(
    SELECT
        toDate(submitted_at, 'UTC') AS day,
        channel,
        ifNull(language, 'und') AS lang,
        theme,
        count() AS responses,
        countIf(detractor = 1) AS detractors,
        countIf(survey = 'csat') AS csat_responses,
        countIf(survey = 'csat' AND score >= 4) AS csat_satisfied,
        if(csat_responses = 0, NULL, avgIf(score, survey = 'csat')) AS csat_avg,
        countIf(survey = 'nps') AS nps_responses,
        countIf(survey = 'nps' AND score >= 9) AS nps_promoters,
        countIf(survey = 'nps' AND score <= 6) AS nps_detractors
    FROM ${database}.feedback FINAL
    ARRAY JOIN themes AS theme
    GROUP BY day, channel, lang, theme
) AS t
INNER JOIN
(
    SELECT
        toDate(submitted_at, 'UTC') AS day,
        channel,
        ifNull(language, 'und') AS lang,
        count() AS comments
    FROM ${database}.feedback FINAL
    WHERE ifNull(comment_redacted, '') != ''
    GROUP BY day, channel, lang
) AS c
ON t.day = c.day AND t.channel = c.channel AND t.lang = c.lang;
