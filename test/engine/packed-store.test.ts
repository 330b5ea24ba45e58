/** The bit-packed state codec and the packed visited store of the sequential search. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layout, type Schema } from '../../src/engine/schema.js';
import { compileCodec, PACK_BAD_PADDING } from '../../src/engine/state-codec.js';
import { PackedStateStore } from '../../src/engine/packed-store.js';
import { JIT_REHEARSAL, StateStore } from '../../src/engine/store.js';

/** Every kind of field: bool, small and constant ints, a signed byte, two 16-bit ints, an enum. */
function mixedSchema(): Schema {
  const L = new Layout();
  L.bool('b');
  L.int('small', 0, 5);
  L.int('constant', 3, 3);
  L.int('signed', -100, 27);
  L.int('wide', -300, 1200);
  L.enum('e', ['a', 'b', 'c']);
  L.int('full', 0, 255);
  L.int('wide2', 0, 30000);
  return L.finish();
}

/** A pseudo-random in-domain state of `schema` (a fixed linear congruential sequence). */
function randomState(schema: Schema, seed: number): Uint8Array {
  const s = schema.blank();
  let x = seed >>> 0;
  for (const f of schema.fields) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    schema.set(s, f, f.min + (x % (f.max - f.min + 1)));
  }
  return s;
}

const words = (s: Uint8Array): Int32Array => new Int32Array(s.buffer, s.byteOffset, s.length >> 2);

test('codec: pack then unpack gives back every byte, in fewer words', () => {
  const schema = mixedSchema();
  const codec = compileCodec(schema);
  // 1 + 3 + 0 + 7 + 11 + 2 + 8 + 15 = 47 bits: two words instead of the byte layout's three (10 bytes)
  assert.equal(schema.words, 3);
  assert.equal(codec.words, 2);
  const p = new Int32Array(codec.words);
  const out = new Int32Array(schema.words);
  for (let k = 0; k < 2000; k++) {
    const s = randomState(schema, k);
    assert.equal(codec.pack(words(s), p), -1);
    codec.unpack(p, 0, out);
    assert.deepEqual(schema.decode(new Uint8Array(out.buffer)), schema.decode(s));
    assert.deepEqual([...out], [...words(s)]);
  }
  // the domain bounds themselves
  const lo = schema.blank();
  const hi = schema.blank();
  for (const f of schema.fields) {
    schema.set(lo, f, f.min);
    schema.set(hi, f, f.max);
  }
  for (const s of [lo, hi]) {
    assert.equal(codec.pack(words(s), p), -1);
    codec.unpack(p, 0, out);
    assert.deepEqual([...out], [...words(s)]);
  }
});

test('codec: distinct states pack to distinct vectors (every state of a small schema)', () => {
  const L = new Layout();
  const a = L.int('a', 0, 2);
  const b = L.bool('b');
  const c = L.int('c', -2, 1);
  const d = L.int('d', 0, 4);
  const schema = L.finish();
  const codec = compileCodec(schema);
  const seen = new Set<string>();
  const p = new Int32Array(codec.words);
  const s = schema.blank();
  let n = 0;
  for (let va = 0; va <= 2; va++)
    for (let vb = 0; vb <= 1; vb++)
      for (let vc = -2; vc <= 1; vc++)
        for (let vd = 0; vd <= 4; vd++) {
          schema.set(s, a, va);
          schema.set(s, b, vb);
          schema.set(s, c, vc);
          schema.set(s, d, vd);
          assert.equal(codec.pack(words(s), p), -1);
          seen.add([...p].join(','));
          n++;
        }
  assert.equal(n, 3 * 2 * 4 * 5);
  assert.equal(seen.size, n);
});

test('codec: pack names the first field outside its domain, or nonzero padding', () => {
  const schema = mixedSchema();
  const codec = compileCodec(schema);
  const p = new Int32Array(codec.words);
  const fieldIndex = (name: string): number => schema.fields.findIndex((f) => f.name === name);
  for (const [name, v] of [['small', 6], ['constant', 2], ['signed', 28], ['signed', -101], ['wide', 1201], ['wide', -301], ['e', 3]] as const) {
    const s = randomState(schema, 7);
    schema.set(s, schema.field(name), v);
    assert.equal(codec.pack(words(s), p), fieldIndex(name), `${name} = ${v}`);
  }
  // two fields out: the first in schema order
  const s = randomState(schema, 7);
  schema.set(s, schema.field('e'), 3);
  schema.set(s, schema.field('small'), 7);
  assert.equal(codec.pack(words(s), p), fieldIndex('small'));
  // a byte vector with the padding after the last field set is no state of the schema
  const L = new Layout();
  L.int('x', 0, 3);
  const one = L.finish();
  const c1 = compileCodec(one);
  const t = one.blank();
  t[3] = 1;
  assert.equal(c1.pack(words(t), new Int32Array(c1.words)), PACK_BAD_PADDING);
});

test('packed store: the same ids, duplicates, links and vectors as the byte store, across chunks and several x4 index growths', () => {
  const schema = mixedSchema();
  const packed = new PackedStateStore(schema, false, 4);
  const plain = new StateStore(schema.words, false, 4);
  // 900 000 draws from 850 000 seeds: duplicates, several chunks, an index grown from 2^4 to 2^22 slots
  const n = 900_000;
  for (let k = 0; k < n; k++) {
    const s = words(randomState(schema, (k * 7) % 850_000));
    const a = plain.insert(s, k - 1, k & 0xffff);
    const b = packed.insert(s, k - 1, k & 0xffff);
    if (a !== b) assert.equal(b, a, `insert ${k}`);
  }
  assert.equal(packed.count, plain.count);
  const out = new Int32Array(schema.words);
  for (let id = 0; id < packed.count; id += 1013) {
    packed.load(id, out);
    const want = new Int32Array(schema.words);
    plain.load(id, want);
    assert.deepEqual([...out], [...want]);
    assert.equal(packed.find(out), id);
    assert.ok(packed.matches(id, out));
    assert.equal(packed.parent(id), plain.parent(id));
    assert.equal(packed.step(id), plain.step(id));
  }
  // a state never inserted, and one outside the domains, are not found
  const fresh = randomState(schema, 123_456_789);
  if (plain.find(words(fresh)) < 0) assert.equal(packed.find(words(fresh)), -1);
  const bad = randomState(schema, 1);
  schema.set(bad, schema.field('small'), 6);
  assert.equal(packed.find(words(bad)), -1);
  assert.equal(packed.matches(0, words(bad)), false);
  // packed vectors of 2 words, 4-byte index slots: well below the byte store's size per state
  assert.ok(packed.bytes / packed.count < plain.bytes / plain.count, `${packed.bytes / packed.count} < ${plain.bytes / plain.count}`);
});

test('packed store: inserting a state outside the domains calls onBadState with the field', () => {
  const schema = mixedSchema();
  const st = new PackedStateStore(schema);
  const s = randomState(schema, 3);
  schema.set(s, schema.field('wide'), 1300);
  let seen: unknown[] = [];
  st.onBadState = (code, _v, parent, step) => {
    seen = [code, parent, step];
    throw new Error('bad');
  };
  assert.throws(() => st.insert(words(s), 4, 9), /bad/);
  assert.deepEqual(seen, [schema.fields.findIndex((f) => f.name === 'wide'), 4, 9]);
  assert.equal(st.count, 0);
});

test('adoptPacked: a shared store takes over a packed store\'s states — the same ids, vectors, links and lookups, across chunks', () => {
  const schema = mixedSchema();
  const packed = new PackedStateStore(schema, false, 4);
  const n = 70_000; // more than one chunk (65,536 states)
  const states: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const s = randomState(schema, k * 7 + 1);
    const id = packed.insert(words(s), k - 1, k % 5);
    if (id >= 0) states.push(s);
  }
  const shared = new StateStore(schema.words, false, 4, undefined, packed.codec);
  shared.adoptPacked(packed);
  assert.equal(shared.count, packed.count);
  assert.equal(shared.count, states.length);
  const out = new Int32Array(schema.words);
  for (let id = 0; id < shared.count; id += 97) {
    shared.load(id, out);
    assert.deepEqual([...out], [...words(states[id]!)], `vector ${id}`);
    assert.equal(shared.parent(id), packed.parent(id));
    assert.equal(shared.step(id), packed.step(id));
    assert.equal(shared.find(words(states[id]!)), id);
    // a duplicate is found under its id, not stored again
    assert.equal(shared.insert(words(states[id]!), 0, 0), -1 - id);
  }
  assert.equal(shared.count, packed.count);
  // only an empty store with the packed store's own codec can adopt
  assert.throws(() => shared.adoptPacked(packed), /empty store/);
  assert.throws(() => new StateStore(schema.words, false, 4, undefined, compileCodec(schema)).adoptPacked(packed), /same codec/);
});

test('packed store: the early rehearsals of its rare paths (JIT_REHEARSAL) leave no trace — no extra chunk, no early index growth, the same ids', () => {
  const schema = mixedSchema();
  // the default index (2^16 slots): its first growth rehearsed at 256 states, a real one past 49,152 (75%)
  const packed = new PackedStateStore(schema);
  const plain = new StateStore(schema.words);
  // per chunk of 65,536 states: 2 packed words and 6 bytes of links; the index: 4 bytes a slot
  const chunk = 65_536 * (2 * 4 + 6);
  const expectBytes: Record<number, number> = {
    1: chunk + 4 * 2 ** 16,
    [JIT_REHEARSAL + 1]: chunk + 4 * 2 ** 16,
    49_152: chunk + 4 * 2 ** 16,
    49_153: chunk + 4 * 2 ** 18,
    65_536: chunk + 4 * 2 ** 18,
    65_537: 2 * chunk + 4 * 2 ** 18,
  };
  const seen: number[] = [];
  for (let k = 0; packed.count < 70_000; k++) {
    const s = words(randomState(schema, k));
    const a = plain.insert(s, k - 1, k & 0xffff);
    const b = packed.insert(s, k - 1, k & 0xffff);
    if (a !== b) assert.equal(b, a, `insert ${k}`);
    const want = expectBytes[packed.count];
    if (b >= 0 && want !== undefined) {
      assert.equal(packed.bytes, want, `bytes after ${packed.count} states`);
      seen.push(packed.count);
    }
  }
  assert.deepEqual(seen, Object.keys(expectBytes).map(Number).sort((x, y) => x - y));
  const out = new Int32Array(schema.words);
  for (const id of [0, JIT_REHEARSAL - 1, JIT_REHEARSAL, JIT_REHEARSAL + 1, 49_152, 65_535, 65_536, 69_999]) {
    packed.load(id, out);
    const want = new Int32Array(schema.words);
    plain.load(id, want);
    assert.deepEqual([...out], [...want], `state ${id}`);
    assert.equal(packed.find(out), id);
    assert.deepEqual([packed.parent(id), packed.step(id)], [plain.parent(id), plain.step(id)]);
  }
});
