-- Alerts gained a status (a channel condition that clears sends a `resolved` record) and, for a
-- resolved record, the id of the alert it resolves. Rows from before have been raised alerts.
ALTER TABLE ${database}.alerts
    ADD COLUMN IF NOT EXISTS status LowCardinality(String) DEFAULT 'raised' AFTER comment_redacted;

ALTER TABLE ${database}.alerts
    ADD COLUMN IF NOT EXISTS resolves Nullable(String) AFTER status;

-- For post-incident review: each alert with when it cleared, for those that have.
CREATE VIEW IF NOT EXISTS ${database}.alert_timeline AS
SELECT
    raised.alert_id AS alert_id,
    raised.kind AS kind,
    raised.severity AS severity,
    raised.channel AS channel,
    raised.subject_id AS subject_id,
    raised.raised_at AS raised_at,
    if(resolved.alert_id = '', NULL, resolved.raised_at) AS resolved_at,
    if(resolved.alert_id = '', NULL,
       dateDiff('second', raised.raised_at, resolved.raised_at)) AS open_s,
    raised.summary AS summary
FROM (SELECT * FROM ${database}.alerts FINAL WHERE status = 'raised') AS raised
LEFT JOIN (SELECT * FROM ${database}.alerts FINAL WHERE status = 'resolved') AS resolved
    ON resolved.resolves = raised.alert_id;
