import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json, notFoundError, unprocessableError } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { checkConnection, setBankConnection } from '../bank-connection.js';

/** PUT /bank-accounts/{id}/connection: how finflow reaches the account's bank (SFTP or HTTP). */

const manage = requirePermission('bankaccounts:manage');
const IdParam = z.object({ id: z.string().min(1).max(100) });

const ConnectionInput = z
  .object({
    connection: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description:
          'The connector settings (docs/bank-connectors.md): `kind` `sftp` (host, port, username, privateKey, ' +
          'hostKeyFingerprint, outbox, inbox, archive) or `http` (deliverUrl, listUrl, bearerToken, hmac). ' +
          'Secrets are named, never sent: `"privateKey": {"secret": "BANK_SFTP_KEY"}`. null removes the ' +
          'connection (files then go to the bank-outbox folder).',
        example: {
          kind: 'sftp',
          host: 'sftp.bank.example',
          username: 'finflow',
          privateKey: { secret: 'BANK_SFTP_KEY' },
          hostKeyFingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
          outbox: '/upload',
          inbox: '/download',
          archive: '/download/done',
        },
      }),
  })
  .strict();

const ConnectionSchema = z
  .object({ bankAccountId: z.string(), connection: z.record(z.string(), z.unknown()).nullable() })
  .openapi('BankConnection');

const setDef = createRoute({
  method: 'put',
  path: '/bank-accounts/{id}/connection',
  tags: ['payments'],
  summary: 'Set how finflow reaches the account’s bank: SFTP or HTTP, secrets by name',
  description:
    'Validated as the connector will use it (400 naming the field); a named secret that is not set is 422. ' +
    'Audited with before and after (secret names only).',
  middleware: [manage] as const,
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: ConnectionInput } } } },
  responses: {
    200: json(ConnectionSchema, 'The connection'),
    ...commonErrors,
    ...notFoundError,
    ...unprocessableError('A named secret is not set'),
  },
});

export function bankConnectionRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(setDef, async (c) => {
        const { id } = c.req.valid('param');
        const { connection } = c.req.valid('json');
        const settings = connection === null ? null : checkConnection(connection, context, 'body.connection');
        return c.json(await inRequestUnit(context, c, (unit) => setBankConnection(unit, id, settings)), 200);
      });
    },
  };
}
