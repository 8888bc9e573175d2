-- Wakes projection runners after every statement that appends events, on both write paths
-- (postgres-es and the bulk append), without code in either. The notification is delivered at
-- commit; a lost one only delays a runner until its next poll.
CREATE FUNCTION vordering_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vordering_events', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION vordering_notify_events();
