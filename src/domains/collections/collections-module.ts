import { messagePurposes } from '../channels/messages/message-purpose.js';
import type { DomainModule } from '../contract.js';
import { collectionsActions } from './actions.js';
import { collectionsRoutes } from './http/collections-routes.js';
import { installCollectionsPolicy } from './install.js';
import { registerCollectionsPurposes } from './message-wanted.js';
import { collectionsReportRoutes } from './reports/report-routes.js';
import './tables.js';

/**
 * Collections: an overdue receivable opens a case, segmented by policy, worked by its segment's
 * strategy (messages, calls for collectors, fees) until it is cured or paid; contacts and promises
 * to pay are recorded on the case and feed back into the customer's risk. See docs/collections.md.
 */
export const collectionsModule: DomainModule = {
  name: 'collections',
  registerActions(context) {
    for (const action of collectionsActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
    // Asked by email.send, sms.send and letter.send, when a stage message or reminder may go out.
    registerCollectionsPurposes(messagePurposes(context.engine.actions));
  },
  routes: (context) => [collectionsRoutes(context), collectionsReportRoutes(context)],
  install: installCollectionsPolicy,
};
