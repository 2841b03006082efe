import type { DomainContext, DomainModule } from '../contract.js';
import { channelsActions } from './actions.js';
import { parseSmsMapping } from './sms/sms-mapping.js';
import { smsStatusRoutes } from './sms/sms-status-routes.js';
import { contactRoutes } from './contact-rules/contact-routes.js';
import { messageRoutes } from './messages/message-routes.js';
import { templateRoutes } from './templates/template-routes.js';
import { letterRoutes } from './letters/letter-routes.js';

/**
 * Channels: email, SMS and letters (PDF for a print provider) to customers, in their language, within the contact rules. The actions
 * are what collections and credit workflows call; the routes edit templates and contact rules and
 * show what was sent.
 */
export const channelsModule: DomainModule = {
  name: 'channels',
  registerActions(context: DomainContext) {
    const registry = context.engine.actions;
    if (registry.has('email.send')) return; // one registry shared by several engines
    // A mistyped provider mapping should stop start-up, not the first overdue reminder.
    if (context.config?.smsProfile === 'generic' && context.config.smsMapping)
      parseSmsMapping(context.config.smsMapping);
    for (const action of channelsActions(context)) registry.register(action);
  },
  routes: (context) => [
    templateRoutes(context),
    messageRoutes(),
    contactRoutes(context),
    smsStatusRoutes(context),
    letterRoutes(context),
  ],
};
