import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request a piece of work runs for, carried implicitly through every await. The HTTP layer
 * opens a scope per request; the audit log reads the request id from it when a caller did not pass
 * one, so every audit row written while serving a request names that request — however deep the
 * service that wrote it, and without each service threading the id by hand.
 */
export interface RequestScope {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

export const runInRequestScope = <T>(scope: RequestScope, work: () => T): T => storage.run(scope, work);

/** The id of the request being served, if any (none in workers and background jobs). */
export const currentRequestId = (): string | undefined => storage.getStore()?.requestId;
