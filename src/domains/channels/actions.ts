import type { ActionDefinition } from '../../engine/index.js';
import type { DomainContext } from '../contract.js';
import { contactCheckAction, contactRecordAction } from './contact-rules/contact-actions.js';
import { emailSendAction } from './email/email-action.js';
import { letterSendAction } from './letters/letter-action.js';
import { smsSendAction } from './sms/sms-action.js';

/**
 * Channels' actions, what collections and credit workflows call to reach a customer: email, SMS and
 * letters within the contact rules, and the contact rules themselves for contacts finflow does not
 * send (a collector's call). Each is defined beside its transport; this is the list.
 */
export function channelsActions(context: DomainContext): ActionDefinition[] {
  return [
    emailSendAction(context),
    smsSendAction(context),
    letterSendAction(context),
    contactCheckAction,
    contactRecordAction,
  ];
}
