import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../storage/schema.js';

/**
 * Kysely types of the customers tables (SQL in storage/migrations/0004_receivables.sql).
 * bigint columns read back as BigInt.
 */
declare module '../../storage/schema.js' {
  interface Tables {
    customers: CustomersTable;
    customer_risk_ratings: CustomerRiskRatingsTable;
  }
}

type Amount = bigint | string | number;

export interface CustomersTable {
  id: string;
  external_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  address: Json;
  language: string;
  time_zone: string;
  segment: string | null;
  risk_rating: string | null;
  credit_limit: ColumnType<bigint | null, Amount | null, Amount | null>;
  limit_currency: string | null;
  exposure: ColumnType<bigint, Amount | undefined, Amount>;
  credit_balances: Json;
  metadata: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerRiskRatingsTable {
  id: string;
  customer_id: string;
  rating: string;
  previous: string | null;
  reason: string | null;
  rated_at: Timestamp;
  rated_by: string;
}
