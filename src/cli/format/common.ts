/** Small, locale-independent number and text helpers shared by the formatters. */
import type { SourceRef } from '../../engine/model.js';
import type { Value } from '../../engine/schema.js';

/** 1234567 -> "1,234,567" (no locale: output must not depend on the machine). */
export function int(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${out}` : out;
}

export function seconds(s: number): string {
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 120) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function bytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M states/s`;
  if (perSecond >= 1e4) return `${Math.round(perSecond / 1e3)} k states/s`;
  return `${Math.round(perSecond)} states/s`;
}

export function value(v: Value): string {
  return typeof v === 'string' ? v : String(v);
}

export function changes(c: Readonly<Record<string, Value>>): string[] {
  return Object.entries(c).map(([k, v]) => `${k}=${value(v)}`);
}

/** `arch/x86/kvm/xen.c:kvm_xen_start_timer: if (vcpu->arch.xen.timer_expires)` */
export function sourceLine(s: SourceRef): string {
  return `${s.file}:${s.func}: ${s.line}`;
}

export function params(p: Readonly<Record<string, Value>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
}

/** Greedy word wrap of `words` joined by `sep` into lines of at most `width` characters. */
export function wrap(words: readonly string[], width: number, sep = '  '): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur === '') cur = w;
    else if (cur.length + sep.length + w.length <= width) cur += sep + w;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines;
}

/** Hard-wrap one string into chunks of at most `width` characters, preferring spaces. */
export function chop(s: string, width: number): string[] {
  if (width <= 0 || s.length <= width) return [s];
  const out: string[] = [];
  let rest = s;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= width / 3) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) out.push(rest);
  return out;
}

export function pad(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}
