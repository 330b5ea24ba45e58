/**
 * The one reading of a whole number from text, for every numeric option and model parameter:
 * optional sign and decimal digits, nothing else — no spaces, no `0x`, no exponent, not empty —
 * and a safe integer. (Number('') is 0 and Number(' 2') is 2, which is why Number() is not used.)
 */
export function strictInteger(raw: string): number | undefined {
  if (!/^[+-]?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A decimal number with an optional fraction (`1.5`), same rules otherwise; non-negative. */
export function strictDecimal(raw: string): number | undefined {
  if (!/^\d+(?:\.\d+)?$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
