import type { AccountBalance, JournalResult, LedgerAccount, LedgerTransfer } from '../ledger-model.js';

/** The ledger's objects as the API answers them: amounts as decimal strings, times as ISO strings. */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentAccount = (a: LedgerAccount) => ({
  id: a.id,
  code: a.code,
  currency: a.currency,
  normalSide: a.normalSide,
  debitsMustNotExceedCredits: a.debitsMustNotExceedCredits,
  creditsMustNotExceedDebits: a.creditsMustNotExceedDebits,
  debitsPending: a.debitsPending.toString(),
  debitsPosted: a.debitsPosted.toString(),
  creditsPending: a.creditsPending.toString(),
  creditsPosted: a.creditsPosted.toString(),
  metadata: a.metadata,
  createdAt: a.createdAt.toISOString(),
});

export const presentBalance = (b: AccountBalance) => ({
  asOf: iso(b.asOf),
  debitsPosted: b.debitsPosted.toString(),
  creditsPosted: b.creditsPosted.toString(),
  debitsPending: b.debitsPending.toString(),
  creditsPending: b.creditsPending.toString(),
  balance: b.balance.toString(),
  available: b.available.toString(),
});

export const presentTransfer = (t: LedgerTransfer) => ({
  id: t.id,
  journalId: t.journalId,
  seq: t.seq.toString(),
  debitAccountId: t.debitAccountId,
  creditAccountId: t.creditAccountId,
  amount: t.amount.toString(),
  currency: t.currency,
  kind: t.kind,
  pendingId: t.pendingId,
  reversesId: t.reversesId,
  expiresAt: iso(t.expiresAt),
  code: t.code,
  reference: t.reference,
  metadata: t.metadata,
  postedAt: t.postedAt.toISOString(),
  postedBy: t.postedBy,
});

export const presentJournal = (j: JournalResult) => ({
  journalId: j.journalId,
  created: j.created,
  transfers: j.transfers.map(presentTransfer),
});

export const transferPage = (data: LedgerTransfer[], limit: number) => ({
  data: data.map(presentTransfer),
  nextAfterSeq: data.length === limit ? data[data.length - 1]!.seq.toString() : null,
});
