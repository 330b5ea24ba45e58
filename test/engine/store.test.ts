import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateStore, hashWords } from '../../src/engine/store.js';

test('insert returns fresh ids in order; a repeated state returns -1 - id of the stored one', () => {
  const st = new StateStore(2);
  const v = new Int32Array(2);
  v.set([1, 2]);
  assert.equal(st.insert(v, -1, 0), 0);
  v.set([2, 1]);
  assert.equal(st.insert(v, 0, 5), 1);
  v.set([1, 2]);
  assert.equal(st.insert(v, 1, 7), -1);
  assert.equal(st.count, 2);
  assert.equal(st.find(v), 0);
  v.set([2, 1]);
  assert.equal(st.find(v), 1);
  v.set([0, 0]);
  assert.equal(st.find(v), -1);
  // the all-zero vector is an ordinary state (index slots use id + 1, so 0 means empty)
  assert.equal(st.insert(v, 1, 3), 2);
  assert.equal(st.find(v), 2);
  // the first insertion's parent and step are kept
  assert.equal(st.parent(0), -1);
  assert.equal(st.step(0), 0);
  assert.equal(st.parent(1), 0);
  assert.equal(st.step(1), 5);
  assert.equal(st.parent(2), 1);
  assert.equal(st.step(2), 3);
  const out = new Int32Array(2);
  st.load(1, out);
  assert.deepEqual([...out], [2, 1]);
});

test('negative words and single-word states', () => {
  const st = new StateStore(1);
  const v = new Int32Array(1);
  for (const x of [-1, -2147483648, 2147483647, 0, 1]) {
    v[0] = x;
    assert.ok(st.insert(v, -1, 0) >= 0);
  }
  for (const x of [-1, -2147483648, 2147483647, 0, 1]) {
    v[0] = x;
    assert.ok(st.find(v) >= 0);
  }
  assert.equal(st.count, 5);
});

test('growth: 200 000 states across chunks (65 536 each) and several index doublings stay findable with their links', () => {
  const n = 200_000;
  const st = new StateStore(3, false, 4); // start with a 16-slot index to force many doublings
  const v = new Int32Array(3);
  for (let i = 0; i < n; i++) {
    v[0] = i;
    v[1] = i * 7919;
    v[2] = i & 3;
    assert.equal(st.insert(v, i - 1, i % 65535), i);
  }
  assert.equal(st.count, n);
  const out = new Int32Array(3);
  for (let i = 0; i < n; i += 997) {
    v[0] = i;
    v[1] = i * 7919;
    v[2] = i & 3;
    assert.equal(st.find(v), i);
    assert.equal(st.insert(v, 0, 0), -1 - i, 'a duplicate is not stored again');
    st.load(i, out);
    assert.deepEqual([...out], [i, i * 7919, i & 3]);
    assert.equal(st.parent(i), i - 1);
    assert.equal(st.step(i), i % 65535);
  }
  // boundaries of the first chunk
  for (const i of [65535, 65536, 131071, 131072, n - 1]) {
    st.load(i, out);
    assert.equal(out[0], i);
    assert.equal(st.parent(i), i - 1);
  }
  v.set([n, n * 7919, n & 3]);
  assert.equal(st.find(v), -1);
  assert.equal(st.count, n);
  assert.ok(st.bytes >= 4 * 65536 * (3 * 4 + 4 + 2));
});

test('wide step ids keep values above 16 bits; narrow ones are 16-bit', () => {
  const wide = new StateStore(1, true);
  const narrow = new StateStore(1, false);
  const v = new Int32Array(1);
  v[0] = 42;
  wide.insert(v, -1, 70_000);
  narrow.insert(v, -1, 65_535);
  assert.equal(wide.step(0), 70_000);
  assert.equal(narrow.step(0), 65_535);
});

test('hashWords depends on every word and on the offset window', () => {
  const a = new Int32Array([1, 2, 3, 4]);
  const h = hashWords(a, 0, 4);
  assert.equal(h, hashWords(new Int32Array([1, 2, 3, 4]), 0, 4));
  for (let i = 0; i < 4; i++) {
    const b = a.slice();
    b[i]! ^= 1;
    assert.notEqual(hashWords(b, 0, 4), h, `word ${i}`);
  }
  assert.equal(hashWords(new Int32Array([9, 1, 2, 3, 4]), 1, 4), h);
});
