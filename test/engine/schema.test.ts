import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Layout, Schema, SchemaError } from '../../src/engine/schema.js';

test('fields are packed without gaps or overlap, 1 byte unsigned or signed where the domain fits, else 2', () => {
  const L = new Layout();
  const b = L.bool('b');
  const u = L.int('u', 0, 255);
  const sg = L.int('sg', -128, 127);
  const w = L.int('w', -1, 300);
  const e = L.enum('e', ['a', 'b', 'c'], 'P');
  const big = L.int('big', -32768, 32767);
  const schema = L.finish();
  // widths from the domains: 0..255 and -128..127 fit a byte, -1..300 and a full int16 do not
  assert.deepEqual(
    schema.fields.map((f) => [f.name, f.width, f.signed]),
    [
      ['b', 1, false],
      ['u', 1, false],
      ['sg', 1, true],
      ['w', 2, false],
      ['e', 1, false],
      ['big', 2, false],
    ],
  );
  // packed: the fields tile bytes 0..7 exactly (1 + 1 + 1 + 2 + 1 + 2 = 8), whatever the order
  const bytes = new Array<number>(8).fill(0);
  for (const f of schema.fields) for (let k = 0; k < f.width; k++) bytes[f.offset + k]!++;
  assert.deepEqual(bytes, [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(schema.usedBytes, 8);
  assert.equal(schema.size, 8);
  assert.equal(schema.words, 2);
  assert.equal(e.group, 'P');
  assert.deepEqual(e.values, ['a', 'b', 'c']);
  assert.equal(schema.field('w'), w);
  assert.equal(b.kind, 'bool');
  assert.equal(u.max, 255);
  assert.equal(sg.min, -128);
  assert.equal(big.width, 2);
  assert.throws(() => schema.field('nope'), SchemaError);
});

test('the vector is padded to a multiple of 4 bytes, at least 4', () => {
  const sizeFor = (bytes: number): number => {
    const L = new Layout();
    for (let i = 0; i < bytes; i++) L.bool(`b${i}`);
    return L.finish().size;
  };
  assert.equal(sizeFor(0), 4);
  assert.equal(sizeFor(1), 4);
  assert.equal(sizeFor(4), 4);
  assert.equal(sizeFor(5), 8);
  assert.equal(sizeFor(8), 8);
  assert.equal(sizeFor(9), 12);
  const L = new Layout();
  L.int('a', 0, 1000); // 2 bytes
  L.int('b', 0, 3); // 1 byte
  const s = L.finish();
  assert.equal(s.usedBytes, 3);
  assert.equal(s.size, 4);
  assert.equal(s.blank().length, 4);
  assert.ok(s.blank().every((x) => x === 0));
});

test('signed 1-byte and signed 16-bit fields round-trip through get/set, including the extremes', () => {
  const L = new Layout();
  const s8 = L.int('s8', -128, 127);
  const s16 = L.int('s16', -32768, 32767);
  const w = L.int('w', 0, 1000);
  const schema = L.finish();
  const st = schema.blank();
  for (const v of [-128, -1, 0, 1, 127]) {
    schema.set(st, s8, v);
    assert.equal(schema.get(st, s8), v);
  }
  for (const v of [-32768, -300, -1, 0, 255, 256, 32767]) {
    schema.set(st, s16, v);
    assert.equal(schema.get(st, s16), v);
  }
  schema.set(st, w, 1000);
  assert.equal(schema.get(st, w), 1000);
  // little endian
  schema.set(st, s16, 0x1234);
  assert.equal(st[s16.offset], 0x34);
  assert.equal(st[s16.offset + 1], 0x12);
  // direct byte writes of a negative number land as the two's complement byte
  st[s8.offset] = -3 & 0xff;
  assert.equal(schema.get(st, s8), -3);
  // neighbours are untouched
  assert.equal(schema.get(st, w), 1000);
});

test('property: set then get returns the value for every field kind and domain', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.integer({ min: -32768, max: 32767 }), fc.integer({ min: 0, max: 400 })).map(([lo, span]) => [lo, Math.min(32767, lo + span)] as const),
        { minLength: 1, maxLength: 8 },
      ),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
      (domains, picks) => {
        const L = new Layout();
        const fields = domains.map(([lo, hi], i) => L.int(`f${i}`, lo, hi));
        const schema = L.finish();
        const st = schema.blank();
        const want = fields.map((f, i) => f.min + Math.floor(picks[i]! * (f.max - f.min)));
        fields.forEach((f, i) => schema.set(st, f, want[i]!));
        assert.deepEqual(fields.map((f) => schema.get(st, f)), want);
        assert.equal(schema.outOfDomain(st), undefined);
        assert.equal(schema.size % 4, 0);
        assert.ok(schema.size >= schema.usedBytes);
        // decode/encode round trip
        assert.deepEqual(schema.encode(schema.decode(st)), st);
      },
    ),
    { numRuns: 200, seed: 7 },
  );
});

test('decode shows booleans and enum names; encode is its inverse; diff lists changed fields', () => {
  const L = new Layout();
  const pc = L.enum('P.pc', ['idle', 'busy', 'done']);
  const flag = L.bool('flag');
  const x = L.int('x', -5, 5);
  const y = L.int('y', 0, 600);
  const schema = L.finish();
  const a = schema.blank();
  schema.set(a, x, -5);
  assert.deepEqual(schema.decode(a), { 'P.pc': 'idle', flag: false, x: -5, y: 0 });
  const b = schema.encode({ 'P.pc': 'busy', flag: true, y: 513 }, a.slice());
  assert.deepEqual(schema.decode(b), { 'P.pc': 'busy', flag: true, x: -5, y: 513 });
  assert.deepEqual(schema.diff(a, b), { 'P.pc': 'busy', flag: true, y: 513 });
  assert.deepEqual(schema.diff(b, b), {});
  assert.deepEqual(schema.encode(schema.decode(b)), b);
  assert.equal(schema.value(b, pc), 'busy');
  assert.equal(schema.value(b, flag), true);
  assert.equal(schema.value(b, y), 513);
  // numbers are accepted for enums and bools
  assert.deepEqual(schema.decode(schema.encode({ 'P.pc': 2, flag: 1 })), { 'P.pc': 'done', flag: true, x: 0, y: 0 });
  assert.throws(() => schema.encode({ 'P.pc': 'sleeping' }), SchemaError);
  assert.throws(() => schema.encode({ x: 6 }), SchemaError);
  assert.throws(() => schema.encode({ x: 'busy' }), SchemaError);
  assert.throws(() => schema.encode({ nope: 1 }), SchemaError);
});

test('outOfDomain names the first field outside its domain', () => {
  const L = new Layout();
  L.int('a', 0, 3);
  const b = L.int('b', -2, 2);
  const schema = L.finish();
  const s = schema.blank();
  assert.equal(schema.outOfDomain(s), undefined);
  s[b.offset] = 3;
  assert.deepEqual(schema.outOfDomain(s), { field: b, value: 3 });
  s[b.offset] = -3 & 0xff;
  assert.deepEqual(schema.outOfDomain(s), { field: b, value: -3 });
  s[0] = 4;
  assert.equal(schema.outOfDomain(s)!.field.name, 'a');
});

test('open enums grow while the model is built and are closed before finish', () => {
  const L = new Layout();
  const pc = L.openEnum('P.pc', 'P');
  const x = L.int('x', 0, 1);
  assert.equal(pc.add('start'), 0);
  assert.equal(pc.add('middle'), 1);
  assert.equal(pc.add('start'), 0);
  assert.equal(pc.add('end'), 2);
  pc.close();
  const schema = L.finish();
  assert.equal(pc.field.max, 2);
  assert.equal(pc.field.width, 1);
  assert.equal(x.offset, 1);
  const s = schema.encode({ 'P.pc': 'end' });
  assert.equal(schema.decode(s)['P.pc'], 'end');
  s[pc.field.offset] = 3;
  assert.equal(schema.outOfDomain(s)!.field.name, 'P.pc');
});

test('arrays, duplicate names and bad domains', () => {
  const L = new Layout();
  const arr = L.array('pos', 3, 0, 9, 'P');
  assert.deepEqual(arr.map((f) => f.name), ['pos[0]', 'pos[1]', 'pos[2]']);
  assert.deepEqual(arr.map((f) => f.offset), [0, 1, 2]);
  assert.throws(() => L.bool('pos[1]'), SchemaError);
  assert.throws(() => L.int('bad', 3, 2), SchemaError);
  assert.throws(() => L.int('frac', 0, 1.5), SchemaError);
  assert.throws(() => L.int('huge', 0, 40000), SchemaError);
  assert.throws(() => L.int('tiny', -40000, 0), SchemaError);
  assert.throws(() => L.enum('empty', []), SchemaError);
  assert.throws(() => L.enum('many', Array.from({ length: 257 }, (_, i) => `v${i}`)), SchemaError);
  const ok = L.enum('max', Array.from({ length: 256 }, (_, i) => `v${i}`));
  assert.equal(ok.width, 1);
  assert.ok(L.finish() instanceof Schema);
});
