/**
 * Text from data (a report, a model's source lines, step names, file names) is printed with its
 * control characters made visible, so a crafted report or model cannot move the cursor, clear the
 * screen or recolour the terminal: C0 controls but tab and newline, DEL, C1 controls and the
 * Unicode bidirectional overrides become `\xHH` / `\uHHHH`. The tool's own colours are added after.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function safeText(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** `x` with every string in it (object keys included) passed through safeText; other values as they are. */
export function safeData<T>(x: T): T {
  if (typeof x === 'string') return safeText(x) as T;
  if (Array.isArray(x)) return x.map((e: unknown) => safeData(e)) as T;
  if (typeof x === 'object' && x !== null && !ArrayBuffer.isView(x)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[safeText(k)] = safeData(v);
    return out as T;
  }
  return x;
}
