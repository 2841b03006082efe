import { EVENT_TYPE } from '../../../api/routes/events.js';
import { AppError, validationError } from '../../../core/errors.js';
import { decodeUtf8, parseGuardedJson } from '../../../core/json-guard.js';
import { inDomainTransaction } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import type { Logger } from '../../../observability/logger.js';
import { findSource } from './inbound-source-service.js';
import type { SourceConfig } from './source-config.js';
import { SecretUnusable, verifySignature, type HeaderLookup } from './verify.js';
import './tables.js';

/**
 * Receiving one inbound message: find the source, verify the signature over the raw bytes, read the
 * id, type and key, then — in one transaction — record (source, id) and publish the engine event.
 * A redelivery of an id finds its row and publishes nothing, so a provider that retries (they all do,
 * on any timeout) starts or wakes a workflow once.
 */

export interface InboundRequest {
  source: string;
  raw: Buffer;
  header: HeaderLookup;
  requestId: string | null;
}

export interface InboundReceipt {
  eventId: string;
  duplicate: boolean;
}

const MAX_ID_LENGTH = 200;

/** Thrown inside the transaction when a concurrent delivery of the same id committed first: roll back. */
class LostRace extends Error {}

export async function receiveInbound(
  context: DomainContext,
  request: InboundRequest,
  logger: Logger,
): Promise<InboundReceipt> {
  const source = await findSource(context.database.db, request.source);
  // An unknown source gets the answer a bad signature gets: a caller without a secret must not
  // learn which source names exist.
  if (!source) throw invalidSignature();
  const { config } = source;
  const log = logger.child({ inboundSource: source.name });

  // Misconfiguration is ours, not the caller's: 503 makes providers retry until it is fixed.
  const misconfigured = (why: string) => {
    log.error({ secretName: config.secret }, `inbound source cannot verify messages: ${why}`);
    return new AppError('source_misconfigured', 503, `inbound source ${source.name} cannot accept messages right now`);
  };
  const secret = context.secrets?.get(config.secret);
  if (!secret) throw misconfigured(`secret ${config.secret} is not set`);
  try {
    const verified = verifySignature(config, secret, request.raw, request.header, context.clock.now());
    if (!verified.ok) {
      log.warn({ reason: verified.reason }, 'inbound message refused: bad signature');
      throw invalidSignature();
    }
  } catch (error) {
    if (error instanceof SecretUnusable) throw misconfigured(error.message);
    throw error;
  }

  const body = parseJson(request.raw);
  const message = describe(config, body, request.header);
  const who = { actor: `inbound:${source.name}`, requestId: request.requestId };

  const existing = await findMessage(context, source.name, message.id);
  if (existing) return { eventId: existing, duplicate: true };
  try {
    return await inDomainTransaction(context, who, async (unit) => {
      const published = await context.engine.publishInTx(unit.tx, {
        type: message.type,
        key: message.key,
        data: body,
        actor: who.actor,
        requestId: who.requestId,
      });
      const recorded = await unit.tx
        .insertInto('inbound_messages')
        .values({
          source: source.name,
          external_id: message.id,
          event_id: published.id,
          event_type: message.type,
          received_at: unit.clock.now(),
        })
        .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!recorded) throw new LostRace();
      return { eventId: published.id, duplicate: false };
    });
  } catch (error) {
    if (!(error instanceof LostRace)) throw error;
    const winner = await findMessage(context, source.name, message.id);
    if (!winner) throw error;
    return { eventId: winner, duplicate: true };
  }
}

async function findMessage(context: DomainContext, source: string, id: string): Promise<string | undefined> {
  const row = await context.database.db
    .selectFrom('inbound_messages')
    .select('event_id')
    .where('source', '=', source)
    .where('external_id', '=', id)
    .executeTakeFirst();
  return row?.event_id;
}

const invalidSignature = () => new AppError('invalid_signature', 401, 'the signature could not be verified');

/** The body under the same limits as any request's (UTF-8, depth, NUL, surrogates, finite numbers). */
const parseJson = (raw: Buffer): unknown => parseGuardedJson(decodeUtf8(raw, 'body'), 'body');

/** The message's id, event type and key, read where the source's configuration says. */
function describe(
  config: SourceConfig,
  body: unknown,
  header: HeaderLookup,
): { id: string; type: string; key: string | null } {
  const id = config.idHeader
    ? scalar(header(config.idHeader), `header.${config.idHeader.toLowerCase()}`, true)
    : scalar(at(body, config.idField!), `body.${config.idField}`, true);

  const typeField = config.typeField ? `body.${config.typeField}` : 'eventType';
  const type = `${config.eventPrefix}${config.eventType ?? scalar(at(body, config.typeField!), typeField, true)}`;
  if (type.length > 200 || !EVENT_TYPE.test(type)) {
    throw validationError([
      { field: typeField, message: `makes event type "${type.slice(0, 200)}", which is not a valid event type` },
    ]);
  }

  const key = config.keyField ? scalar(at(body, config.keyField), `body.${config.keyField}`, false) : null;
  return { id: id!, type, key };
}

/** A string or number field as text; `required` says whether a missing one is an error. */
function scalar(value: unknown, field: string, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw validationError([{ field, message: 'is required' }]);
    return null;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw validationError([{ field, message: 'must be a string or a number' }]);
  if (value.length > MAX_ID_LENGTH)
    throw validationError([{ field, message: `must be at most ${MAX_ID_LENGTH} characters` }]);
  return value;
}

function at(body: unknown, path: string): unknown {
  let value = body;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
