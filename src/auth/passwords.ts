import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import type { FieldIssue } from '../core/errors.js';

// Passwords of people (never of systems: API keys carry 256 random bits and a plain SHA-256).
// Hashing is argon2id with the OWASP-recommended cost (19 MiB, 2 passes, 1 lane — @node-rs/argon2's
// defaults, spelled out so a library upgrade cannot lower them). The policy follows NIST SP 800-63B:
// long enough, not a common or breached password (zxcvbn-ts's list of ~49 000 and its pattern
// estimate), not built from the user's own name or email; no composition rules, no expiry.

const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn's 0–4 scale: 3 = "safely unguessable: moderate protection from offline slow-hash attacks". */
const MIN_SCORE = 3;

const strength = new ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** False for a wrong password or a hash that is not argon2 (never throws on bad input). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** What is wrong with `password` for this person, as field issues (empty when it is acceptable). */
export function passwordIssues(
  password: string,
  person: { email: string; name: string },
  field = 'password',
): FieldIssue[] {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return [{ field, message: `must be at least ${MIN_PASSWORD_LENGTH} characters` }];
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return [{ field, message: `must be at most ${MAX_PASSWORD_LENGTH} characters` }];
  }
  const lower = password.toLowerCase();
  const own = [person.email.split('@')[0] ?? '', ...person.name.split(/\s+/)]
    .map((part) => part.toLowerCase())
    .filter((part) => part.length >= 4);
  if (own.some((part) => lower.includes(part))) {
    return [{ field, message: 'must not contain your name or email' }];
  }
  const result = strength.check(password, own);
  if (result.score < MIN_SCORE) {
    return [{ field, message: 'is too common or too easy to guess: use a longer passphrase of unrelated words' }];
  }
  return [];
}
