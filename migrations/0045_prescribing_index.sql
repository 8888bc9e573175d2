-- The prescribing-soon list orders by (prescribes_on, invoice_number). The index of builds made
-- before this migration covered only prescribes_on, so every row in the date window was read and
-- sorted before the LIMIT. Give every existing receivables build the index that new builds get
-- from projections/invoice_list.sql.
DO $$
DECLARE
    build record;
BEGIN
    FOR build IN SELECT version FROM projection_checkpoint WHERE name = 'receivables' LOOP
        IF to_regclass(format('invoice_list_v%s', build.version)) IS NOT NULL THEN
            EXECUTE format('DROP INDEX IF EXISTS invoice_list_v%s_prescribes', build.version);
            EXECUTE format(
                'CREATE INDEX IF NOT EXISTS invoice_list_v%1$s_prescribing ON invoice_list_v%1$s '
                '(administration, prescribes_on, invoice_number) WHERE open_amount > 0',
                build.version);
        END IF;
    END LOOP;
END
$$;
