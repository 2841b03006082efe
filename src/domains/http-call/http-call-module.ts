import type { DomainModule } from '../contract.js';
import { httpCallActions } from './actions.js';

/**
 * Calls to outside REST systems from workflows (`http.request`). No tables and no routes: the
 * call's record is the step's timeline entry, and exactly-once at the far end rests on the step's
 * idempotency key.
 */
export const httpCallModule: DomainModule = {
  name: 'http-call',
  registerActions(context) {
    // Registered once per engine: the server and the CLI worker may both hand us the same registry.
    for (const action of httpCallActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
};
