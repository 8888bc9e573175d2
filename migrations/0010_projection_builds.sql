-- Each build (generation) of a projection keeps its own checkpoint row; exactly one build per
-- projection is live (the one its views point at). `fold_version` records which fold made it.
ALTER TABLE projection_checkpoint
    ADD COLUMN fold_version integer NOT NULL DEFAULT 1,
    ADD COLUMN live         boolean NOT NULL DEFAULT false;

CREATE UNIQUE INDEX projection_checkpoint_one_live ON projection_checkpoint (name) WHERE live;
