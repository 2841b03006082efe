import type { Selectable } from 'kysely';
import { isDeepStrictEqual } from 'node:util';
import { notFound } from '../../../core/errors.js';
import type { DomainWork } from '../../unit-of-work.js';
import type { Queryable, Tx } from '../../../storage/schema.js';
import { resolveConfig, type SourceConfig, type SourceConfigInput } from './source-config.js';
import type { InboundSourcesTable } from './tables.js';
import './tables.js';

/** Inbound sources: create or replace by name, read, delete. Every change is audited. */

export interface InboundSource {
  name: string;
  config: SourceConfig;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

const toSource = (row: Selectable<InboundSourcesTable>): InboundSource => ({
  name: row.name,
  config: row.config as SourceConfig,
  createdAt: row.created_at.toISOString(),
  createdBy: row.created_by,
  updatedAt: row.updated_at.toISOString(),
  updatedBy: row.updated_by,
});

export async function findSource(db: Queryable | Tx, name: string): Promise<InboundSource | undefined> {
  const row = await db.selectFrom('inbound_sources').selectAll().where('name', '=', name).executeTakeFirst();
  return row && toSource(row);
}

export async function getSource(db: Queryable, name: string): Promise<InboundSource> {
  const source = await findSource(db, name);
  if (!source) throw notFound('inbound source', name);
  return source;
}

export async function listSources(db: Queryable): Promise<InboundSource[]> {
  const rows = await db.selectFrom('inbound_sources').selectAll().orderBy('name').execute();
  return rows.map(toSource);
}

/** Creates or replaces a source; an identical PUT writes and audits nothing. */
export async function putSource(
  unit: DomainWork,
  name: string,
  input: SourceConfigInput,
): Promise<{ source: InboundSource; created: boolean }> {
  const config = resolveConfig(name, input);
  const now = unit.clock.now();
  for (;;) {
    const existing = await unit.tx
      .selectFrom('inbound_sources')
      .selectAll()
      .where('name', '=', name)
      .forUpdate()
      .executeTakeFirst();
    if (existing) {
      const before = toSource(existing);
      if (isDeepStrictEqual(before.config, config)) return { source: before, created: false };
      const row = await unit.tx
        .updateTable('inbound_sources')
        .set({ config: JSON.stringify(config), updated_at: now, updated_by: unit.actor })
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirstOrThrow();
      unit.audit({
        action: 'inbound_source.updated',
        entityType: 'inbound_source',
        entityId: name,
        before: before.config,
        after: config,
      });
      return { source: toSource(row), created: false };
    }
    // A concurrent first PUT of the same name may win the insert: then lock its row and replace it.
    const row = await unit.tx
      .insertInto('inbound_sources')
      .values({
        name,
        config: JSON.stringify(config),
        created_at: now,
        created_by: unit.actor,
        updated_at: now,
        updated_by: unit.actor,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) {
      unit.audit({ action: 'inbound_source.created', entityType: 'inbound_source', entityId: name, after: config });
      return { source: toSource(row), created: true };
    }
  }
}

/** Deletes a source. Its received-message rows stay, so a re-created source still drops redeliveries. */
export async function deleteSource(unit: DomainWork, name: string): Promise<void> {
  const row = await unit.tx.deleteFrom('inbound_sources').where('name', '=', name).returningAll().executeTakeFirst();
  if (!row) throw notFound('inbound source', name);
  unit.audit({
    action: 'inbound_source.deleted',
    entityType: 'inbound_source',
    entityId: name,
    before: toSource(row).config,
  });
}
