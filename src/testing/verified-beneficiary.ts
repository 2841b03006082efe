import type { ApiClient, Body } from './api-client.js';

/**
 * A beneficiary whose bank details a second person has verified, so payments to it reach their
 * approvers (or are approved automatically when small): `maker` proposes, `checker` approves the
 * first change. What most payment tests need before their first payment.
 */
export async function verifiedBeneficiary(
  { call, expect }: ApiClient,
  tokens: { maker: string; checker: string },
  json: { name: string; kind?: string; bankDetails: Body },
): Promise<Body> {
  const created = expect(
    await call('POST', '/beneficiaries', { token: tokens.maker, json: { kind: 'supplier', ...json } }),
    201,
  );
  const change = (created.changes as Body[])[0]!;
  expect(
    await call('POST', `/beneficiaries/${created.id}/changes/${change.id}/approve`, { token: tokens.checker }),
    200,
  );
  return created;
}
