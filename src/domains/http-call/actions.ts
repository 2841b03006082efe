import type { ActionDefinition } from '../../engine/index.js';
import type { DomainContext } from '../contract.js';
import { httpRequestAction } from './http-request-action.js';
import { outboundPolicy } from '../../net/outbound-policy.js';

/** The http-call domain's one action, `http.request`, allowed the hosts config.outboundAllow lists. */
export function httpCallActions(context: DomainContext): ActionDefinition[] {
  return [httpRequestAction(context.secrets, outboundPolicy({ allow: context.config?.outboundAllow ?? [] }))];
}
