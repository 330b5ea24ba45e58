/**
 * A model for worker threads (built from its module URL) whose step `incX` writes x = 10 into a
 * field declared 0..9 once x reaches 9: every search must stop with the same domain error.
 */
import type { Model } from '../../src/engine/model.js';
import { Layout } from '../../src/engine/schema.js';

export function domainBug(args: { readonly ys: number }): Model {
  const L = new Layout();
  const X = L.int('x', 0, 9);
  const Y = L.int('y', 0, args.ys);
  const schema = L.finish();
  const src = (line: string) => ({ file: 'domain-bug.pseudo', func: 'domainBug', line });
  return {
    name: 'domain-bug',
    schema,
    processes: ['X', 'Y'],
    init: () => [schema.encode({ x: 0, y: 0 })],
    steps: [
      // the bug: the guard lets x go one past its domain
      { id: 'incX', process: 'X', source: src('x++'), guard: (s) => s[X.offset]! < 10, apply: (s) => void s[X.offset]!++ },
      { id: 'incY', process: 'Y', source: src('y++'), guard: (s) => s[Y.offset]! < args.ys, apply: (s) => void s[Y.offset]!++ },
    ],
    properties: [],
    validEnd: () => true,
  };
}
