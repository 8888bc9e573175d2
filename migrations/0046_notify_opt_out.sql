-- A NOTIFY makes its transaction take a database-wide lock at commit and hold it until the commit
-- is flushed, so transactions that notify commit one after another: no group commit. Measured with
-- eight clients each appending one event per transaction, the trigger cut throughput 4-5 times.
-- The trigger stays for every writer that does not say otherwise (bulk appends, tools, tests);
-- a session that sets `vordering.notify = 'off'` (the store's pools do) skips it, and the command
-- path wakes the runners itself after its commit, outside the writing transaction.
CREATE OR REPLACE FUNCTION vordering_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('vordering.notify', true) IS DISTINCT FROM 'off' THEN
        PERFORM pg_notify('vordering_events', '');
    END IF;
    RETURN NULL;
END;
$$;
