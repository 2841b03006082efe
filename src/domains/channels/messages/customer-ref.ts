import { getCustomer, type Customer } from '../../customers/customer-service.js';
import { AppError } from '../../../core/errors.js';
import { NonRetryableError } from '../../../engine/index.js';
import type { Tx } from '../../../storage/schema.js';

/** The customer a step names (id or external id); an unknown one fails the step without retries. */
export async function stepCustomer(tx: Tx, ref: string): Promise<Customer> {
  try {
    return await getCustomer(tx, ref);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) {
      throw new NonRetryableError(`with.customer: customer ${ref} does not exist`);
    }
    throw error;
  }
}
