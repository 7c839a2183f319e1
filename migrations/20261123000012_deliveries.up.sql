-- One row per message the worker sends (docs/DESIGN.md, "Emails"): keyed by the event (the
-- queued job that asked for it), the channel and the recipient. A worker claims the row before
-- it sends and marks it sent after; a sent row stops any other attempt, and a claim older than
-- the worker's orphan timeout is taken over. A worker killed between sending and marking is the
-- only way a message goes out twice.
CREATE TABLE ops.deliveries (
    event      text NOT NULL,
    channel    text NOT NULL CHECK (channel IN ('email')),
    recipient  text NOT NULL,
    claimed_by text NOT NULL,
    claimed_at timestamptz NOT NULL,
    sent_at    timestamptz,
    PRIMARY KEY (event, channel, recipient)
);
CREATE INDEX deliveries_claimed_idx ON ops.deliveries (claimed_at);
