import { AppError } from '../../core/errors.js';
import type { DomainContext } from '../contract.js';
import type { BatchDelivery } from './batch-delivery.js';
import { connectorOf } from './bank-connection.js';

/**
 * Delivery over each bank account's own connection (SFTP, HTTP), and through `fallback` (the
 * bank-outbox folder) for accounts without one. The connectors keep the port's contract: idempotent
 * by file name, written under a temporary name and renamed, retried on a dropped connection.
 */
export function connectionDelivery(context: DomainContext, fallback: BatchDelivery | undefined): BatchDelivery {
  const connectionOf = (bankAccountId: string) =>
    context.database.db
      .selectFrom('bank_accounts')
      .select(['id', 'connection'])
      .where('id', '=', bankAccountId)
      .executeTakeFirstOrThrow();
  return {
    async canDeliver(bankAccountId) {
      return fallback !== undefined || (await connectionOf(bankAccountId)).connection !== null;
    },
    async deliver(file, bankAccountId) {
      const row = await connectionOf(bankAccountId);
      const connector = connectorOf(row, context);
      if (!connector) {
        if (!fallback) {
          throw new AppError(
            'bank_delivery_unavailable',
            409,
            `bank account ${bankAccountId} has no connection and there is no data folder for the bank outbox: ` +
              'set its connection (PUT /bank-accounts/{id}/connection)',
          );
        }
        return fallback.deliver(file, bankAccountId);
      }
      try {
        const receipt = await connector.deliver(file);
        return { location: `${connector.kind}:${receipt.location}`, alreadyDelivered: receipt.alreadyDelivered };
      } finally {
        await connector.close();
      }
    },
  };
}
