/**
 * The model's successor generator: its compiled `expand`, or the loop over `steps` that it must
 * be equivalent to (guard, copy of the source words `srcW` into `dstW`, apply in place, emit).
 */
import type { Model } from '../model.js';
import type { RecordingCtx } from '../trace.js';

export function successors(model: Model, srcW: Int32Array, dstW: Int32Array): NonNullable<Model['expand']> {
  if (model.expand) return model.expand;
  const steps = model.steps;
  const n = steps.length;
  const words = srcW.length;
  return (s, d, c, em) => {
    for (let i = 0; i < n; i++) {
      const st = steps[i]!;
      if (!st.guard(s)) continue;
      for (let k = 0; k < words; k++) dstW[k] = srcW[k]!;
      if (st.apply(d, c) === false) {
        (c as RecordingCtx).reset();
        continue;
      }
      if (!em(i)) return;
    }
  };
}
