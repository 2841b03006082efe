-- The audit chain sealed after commit (issue 19). Until now every audited transaction locked the
-- chain head to append its rows, and held that lock through its COMMIT's fsync: audited writes ran
-- one at a time however many connections there were. Now a transaction only inserts its rows
-- (seq from a sequence: insertion order, not gapless — a rollback burns numbers), and a sealer links
-- committed rows into the chain in batches: it locks the head, gives each row the next chain
-- position (chain_seq, gapless), its prev_hash and hash (src/storage/audit/audit-seal.ts).
-- `finflow audit verify` walks chain_seq and reports rows not yet sealed as such.

CREATE SEQUENCE audit_log_seq OWNED BY audit_log.seq;
SELECT setval('audit_log_seq', (SELECT coalesce(max(seq), 0) + 1 FROM audit_log), false);
ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq');

ALTER TABLE audit_log ADD COLUMN chain_seq bigint;
-- Rows written before this migration were chained at insert: their chain position is their seq.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete;
UPDATE audit_log SET chain_seq = seq;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete;

ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole
  CHECK ((chain_seq IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL));
-- Also how the sealer finds what is left to seal (chain_seq IS NULL is an index search, and rows
-- leave that part of the index within moments of their commit).
CREATE UNIQUE INDEX audit_log_chain_seq_idx ON audit_log (chain_seq);

-- The head now records the chain's last sealed position and hash; only the sealer locks it.
COMMENT ON TABLE audit_chain_head IS 'last sealed chain position (audit_log.chain_seq) and its hash; locked only by the sealer';

-- Still append-only, with one exception: sealing an unsealed row — setting its chain position and
-- hashes once, every other column unchanged.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.chain_seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL
       AND NEW.chain_seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
       AND (NEW.seq, NEW.id, NEW.occurred_at, NEW.actor, NEW.action, NEW.entity_type, NEW.entity_id,
            NEW.before, NEW.after, NEW.reason, NEW.request_id)
           IS NOT DISTINCT FROM
           (OLD.seq, OLD.id, OLD.occurred_at, OLD.actor, OLD.action, OLD.entity_type, OLD.entity_id,
            OLD.before, OLD.after, OLD.reason, OLD.request_id)
    THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
