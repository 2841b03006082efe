import { sql } from 'kysely';
import type { Queryable } from '../schema.js';
import { auditRowHash, contentOfRow } from './audit-hash.js';

// Sealing: linking committed audit rows into the hash chain. A transaction inserts its audit rows
// without touching the chain (audit-append.ts), so audited transactions never queue behind each
// other for it; after its COMMIT the process's sealer locks the chain head — only sealers lock it —
// and gives every committed row not yet sealed, in insertion order, the next chain position, its
// prev_hash and its hash, for thousands of rows in one transaction and one fsync.
//
// A row is visible to the sealer only once its transaction has committed, so a row whose transaction
// commits later simply gets a later chain position: the chain records the order rows were sealed in,
// and every row is sealed exactly once (sealers queue on the head's lock; the append-only trigger
// allows only this one update, from unsealed to sealed, content unchanged — migration 0013).
//
// Until a row is sealed it is not yet tamper-evident: `audit verify` reports how many rows wait and
// since when. Sealing follows each commit within milliseconds; rows of a process killed between its
// commit and its seal are sealed by the next finflow process that starts, or by `finflow audit seal`.

/** The commit signal (commit-hooks.ts) of a transaction that inserted audit rows. */
export const AUDIT_APPENDED = 'audit-appended';

/** How long a sealer lets commits gather before it seals them (see AuditSealer). */
export const SEAL_GATHER_MS = 10;
/** Rows sealed per transaction: bounds a seal's lock time and memory after a long outage. */
const ROWS_PER_SEAL = 5000;

/**
 * Seals every committed unsealed row; returns how many it sealed. With `skipIfBusy`, returns null at
 * once when another sealer (another process) holds the head: it is sealing the same rows.
 */
export async function sealAuditChain(db: Queryable, skipIfBusy = false): Promise<number | null> {
  let total = 0;
  for (;;) {
    const sealed = await sealBatch(db, skipIfBusy);
    if (sealed === null) return total > 0 ? total : null;
    total += sealed;
    if (sealed < ROWS_PER_SEAL) return total;
  }
}

async function sealBatch(db: Queryable, skipIfBusy: boolean): Promise<number | null> {
  return db.transaction().execute(async (tx) => {
    const locking = tx.selectFrom('audit_chain_head').select(['seq', 'hash']).where('singleton', '=', true).forUpdate();
    const head = await (skipIfBusy ? locking.skipLocked() : locking).executeTakeFirst();
    if (!head) return null;
    // Read after the head's lock: in READ COMMITTED this sees every row a sealer before us sealed.
    const rows = await tx
      .selectFrom('audit_log')
      .select([
        'seq',
        'id',
        'occurred_at',
        'actor',
        'action',
        'entity_type',
        'entity_id',
        'before',
        'after',
        'reason',
        'request_id',
      ])
      .where('chain_seq', 'is', null)
      .orderBy('seq')
      .limit(ROWS_PER_SEAL)
      .execute();
    if (rows.length === 0) return 0;

    let chainSeq = BigInt(head.seq);
    let prevHash = head.hash;
    const seals = rows.map((row) => {
      chainSeq += 1n;
      // Hashed from the row as the database returns it, as `audit verify` will recompute it.
      const hash = auditRowHash(prevHash, contentOfRow(row, chainSeq));
      const seal = { seq: String(row.seq), chainSeq: chainSeq.toString(), prevHash, hash };
      prevHash = hash;
      return seal;
    });
    // One array per column (four parameters a statement, whatever the number of rows).
    await sql`
      UPDATE audit_log AS a
         SET chain_seq = v.chain_seq, prev_hash = v.prev_hash, hash = v.hash
        FROM unnest(${seals.map((s) => s.seq)}::bigint[], ${seals.map((s) => s.chainSeq)}::bigint[],
                    ${seals.map((s) => s.prevHash)}::text[], ${seals.map((s) => s.hash)}::text[])
             AS v (seq, chain_seq, prev_hash, hash)
       WHERE a.seq = v.seq`.execute(tx);
    await tx
      .updateTable('audit_chain_head')
      .set({ seq: chainSeq, hash: prevHash })
      .where('singleton', '=', true)
      .execute();
    return rows.length;
  });
}

/**
 * A process's sealer: `poke()` after every commit that inserted audit rows. Pokes coalesce — a pass
 * starts `gatherMs` after the first poke and seals everything committed by then; a poke during a pass
 * runs one more — so a seal covers every transaction of those milliseconds (one seal transaction and
 * fsync for many commits), and no row waits much longer than that to be sealed.
 */
export class AuditSealer {
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #sweep: NodeJS.Timeout | undefined;
  /** The last pass's failure (the rows stay unsealed; the next poke or sweep tries again). */
  lastError: unknown;

  constructor(
    private readonly db: Queryable,
    private readonly gatherMs = SEAL_GATHER_MS,
  ) {}

  poke(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#passes().finally(() => {
      this.#running = undefined;
      if (this.#again) this.poke();
    });
  }

  async #passes(): Promise<void> {
    do {
      await new Promise((resolve) => setTimeout(resolve, this.gatherMs));
      this.#again = false;
      try {
        // Several processes on one PostgreSQL each seal after their commits. When another holds the
        // head it is sealing committed rows, maybe not the ones committed since it looked: look again
        // after the next gathering pause rather than queue a connection behind it.
        if ((await sealAuditChain(this.db, true)) === null) this.#again = true;
        this.lastError = undefined;
      } catch (error) {
        this.lastError = error;
        return;
      }
    } while (this.#again && !this.#closed);
  }

  /** Resolves once the passes under way (and those they started) have finished. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Seals everything committed by now, whoever wrote it; returns how many rows this call sealed. */
  async sealNow(): Promise<number> {
    await this.settled();
    return (await sealAuditChain(this.db)) ?? 0;
  }

  /**
   * Long-running processes (server, worker) also seal every `intervalMs`: rows another process
   * committed but could not seal (it was killed) are sealed here.
   */
  sweepEvery(intervalMs: number): void {
    clearInterval(this.#sweep);
    this.#sweep = setInterval(() => this.poke(), intervalMs);
    this.#sweep.unref();
  }

  /**
   * Before the database closes: the seals this process's commits asked for finish (a poke during a
   * pass runs another, so everything it committed is sealed); no pass starts after.
   */
  async close(): Promise<void> {
    clearInterval(this.#sweep);
    await this.settled();
    this.#closed = true;
  }
}
