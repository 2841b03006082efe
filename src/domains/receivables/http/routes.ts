import type { App, RouteModule } from '../../../api/context.js';
import { pageFrom } from '../../../api/schemas.js';
import { rethrowInBody } from '../../../api/located.js';
import { inRequestUnit, type DomainWork, type RequestScope } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import { createBillingPlan, getBillingPlan } from '../billing-plans.js';
import { adjustReceivable } from '../adjustments.js';
import { bucketSummary } from '../delinquency/bucket-summary.js';
import { runCloseOfBusiness } from '../delinquency/close-of-business.js';
import { chargeFee } from '../fees.js';
import { listPayments, recordPayment, reversePayment } from '../payments.js';
import { createReceivable, getReceivable, getSchedule, listReceivables } from '../receivable-service.js';
import { readSettingsDocument, updateSettings } from '../settings.js';
import {
  bucketsDef,
  cobDef,
  createDef,
  createPlanDef,
  creditNoteDef,
  feeDef,
  getDef,
  getPlanDef,
  getSettingsDef,
  listDef,
  listPaymentsDef,
  payDef,
  putSettingsDef,
  reverseDef,
  scheduleDef,
} from './definitions.js';

/** /receivables (+ schedule, payments, fees), close of business, settings and billing plans. */

export function receivableRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      const work = <T>(c: RequestScope, fn: (unit: DomainWork) => Promise<T>) =>
        inRequestUnit(context, c, fn).catch(rethrowInBody);

      app.openapi(createDef, async (c) => {
        const input = c.req.valid('json');
        const { receivable, status } = await work(c, (unit) => createReceivable(unit, input));
        return c.json(receivable, status === 'created' ? 201 : 200);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        const data = await listReceivables(c.var.database.db, q);
        return c.json(pageFrom(data, q.limit), 200);
      });

      // Static paths before /receivables/{id}, so "buckets" and "settings" are not taken for ids.
      app.openapi(bucketsDef, async (c) => c.json({ data: await bucketSummary(c.var.database.db) }, 200));

      app.openapi(getSettingsDef, async (c) => c.json(await readSettingsDocument(c.var.database.db), 200));

      app.openapi(putSettingsDef, async (c) => {
        const patch = c.req.valid('json');
        const settings = await work(c, (unit) => updateSettings(unit, patch));
        return c.json(settings, 200);
      });

      app.openapi(getDef, async (c) => c.json(await getReceivable(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(scheduleDef, async (c) => c.json(await getSchedule(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(payDef, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json');
        const { payment, receivable, status } = await work(c, (unit) => recordPayment(unit, id, input));
        return c.json({ payment, receivable }, status === 'created' ? 201 : 200);
      });

      app.openapi(listPaymentsDef, async (c) =>
        c.json({ data: await listPayments(c.var.database.db, c.req.valid('param').id) }, 200),
      );

      app.openapi(reverseDef, async (c) => {
        const { paymentId } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        const { payment, receivable } = await work(c, (unit) => reversePayment(unit, paymentId, reason));
        return c.json({ payment, receivable }, 200);
      });

      app.openapi(feeDef, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json');
        const result = await work(c, (unit) =>
          chargeFee(unit, id, { kind: input.kind, amount: BigInt(input.amount), installmentSeq: input.installmentSeq }),
        );
        return c.json(result, 201);
      });

      app.openapi(creditNoteDef, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json');
        const result = await work(c, (unit) =>
          adjustReceivable(unit, id, { kind: 'credit_note', amount: BigInt(input.amount), reason: input.reason }),
        );
        return c.json(result, 201);
      });

      app.openapi(cobDef, async (c) => {
        const { asOf } = c.req.valid('json');
        const report = await runCloseOfBusiness(
          { ...context, database: c.var.database },
          { asOf, actor: c.var.principal.id, requestId: c.var.requestId },
        );
        return c.json(report, 200);
      });

      app.openapi(createPlanDef, async (c) => {
        const input = c.req.valid('json');
        return c.json(await work(c, (unit) => createBillingPlan(unit, input)), 201);
      });

      app.openapi(getPlanDef, async (c) =>
        c.json(await getBillingPlan(c.var.database.db, c.req.valid('param').id), 200),
      );
    },
  };
}
