/**
 * An early-payment discount ("2/10 net 30"): pay by `date` and pay less — a fixed amount off, or a
 * percentage of the invoice. The percentage is computed in integers (basis points of a hundredth of
 * a percent), and the discount rounded half up to the minor unit, the one place a payable rounds.
 */

export interface DiscountInput {
  date: string;
  percent?: string | undefined;
  amount?: string | undefined;
}

export interface Discount {
  date: string;
  /** As given ("2", "2.5"); null for a fixed amount. */
  percent: string | null;
  /** The discount in minor units. */
  amount: string;
  /** What is paid when paid by `date`: the invoice amount less the discount, minor units. */
  payAmount: string;
}

const PERCENT = /^(\d{1,2})(?:\.(\d{1,4}))?$/;

/** The discount for an invoice of `amount` minor units, or the field and why it is refused. */
export function discountOf(
  amount: bigint,
  dueDate: string,
  input: DiscountInput,
): { ok: true; discount: Discount } | { ok: false; field: string; message: string } {
  if (input.date >= dueDate)
    return { ok: false, field: 'discount.date', message: `must be before the due date (${dueDate})` };
  if ((input.percent === undefined) === (input.amount === undefined)) {
    return { ok: false, field: 'discount.percent', message: 'give exactly one of percent and amount' };
  }
  let off: bigint;
  if (input.percent !== undefined) {
    const match = PERCENT.exec(input.percent);
    if (!match)
      return {
        ok: false,
        field: 'discount.percent',
        message: 'must be a percentage like "2" or "2.5" (up to 4 decimals, below 100)',
      };
    // In ten-thousandths of a percent: "2.5" → 25 000; the discount is amount × that / 1 000 000.
    const scaled = BigInt(match[1]! + (match[2] ?? '').padEnd(4, '0'));
    if (scaled === 0n) return { ok: false, field: 'discount.percent', message: 'must be above 0' };
    off = (amount * scaled * 2n + 1_000_000n) / 2_000_000n; // half up
  } else {
    off = BigInt(input.amount!);
  }
  if (off <= 0n)
    return {
      ok: false,
      field: input.percent !== undefined ? 'discount.percent' : 'discount.amount',
      message: 'gives no discount on this amount',
    };
  if (off >= amount) {
    return {
      ok: false,
      field: input.percent !== undefined ? 'discount.percent' : 'discount.amount',
      message: 'must be less than the invoice amount',
    };
  }
  return {
    ok: true,
    discount: {
      date: input.date,
      percent: input.percent ?? null,
      amount: off.toString(),
      payAmount: (amount - off).toString(),
    },
  };
}
