-- Aggregate ids compare in byte order, whatever the server's default collation: one
-- administration's debtor accounts (`admin:…`) are then exactly the range `admin:` to `admin;`,
-- which queries write with `COLLATE "C"` (`AccountRange::sql`) and the primary key serves. Under
-- a linguistic collation punctuation may sort apart from the bytes, and a range or prefix of ids
-- could miss accounts or take another administration's.
ALTER TABLE events ALTER COLUMN aggregate_id TYPE text COLLATE "C";
