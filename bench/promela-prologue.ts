/**
 * The states SPIN stores before a BEEM Promela translation reaches the DVE model's initial state.
 * BEEM's translator writes an instance either with `active proctype`s (no prologue) or with an
 * `init` that sets the globals in `d_step`s and then starts the processes with `run`s inside one
 * `atomic`: SPIN stores init's first state, one state after each statement of that sequence, and
 * the state after the last `run` is the model's initial state (init waits at its end from then on,
 * a state every later state shares). So the prologue is 1 + (d_steps) + (runs - 1) states, and
 * SPIN's count is ours plus that when the two state spaces are the same. Checked against SPIN:
 * loyd.2 (1 d_step, 2 runs) 362,883 = 362,880 + 3; hanoi.2 (1, 6) 531,448 = 531,441 + 7;
 * anderson.6 (1, 6) 18,206,924 = 18,206,917 + 7.
 */

/** The prologue of a translation's source (0 without an `init`; null for an init of another shape). */
export function initPrologue(promela: string): number | null {
  const body = initBody(promela);
  if (body === null) return 0;
  const runs = body.match(/\brun\s+\w+\s*\(/g)?.length ?? 0;
  const dsteps = body.match(/\bd_step\s*\{/g)?.length ?? 0;
  // anything else in init (an assignment outside a d_step, a loop) would add states this does not count
  const rest = body.replace(/\bd_step\s*\{[^}]*\}/g, '').replace(/\brun\s+\w+\s*\([^)]*\)\s*;?/g, '').replace(/\batomic\s*\{|\}|;/g, '').trim();
  if (runs === 0 || rest !== '') return null;
  return 1 + dsteps + (runs - 1);
}

/** The text between `init {` and its closing brace, or null without an init. */
function initBody(src: string): string | null {
  const m = /\binit\s*\{/.exec(src);
  if (m === null) return null;
  let depth = 1;
  for (let i = m.index + m[0].length; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(m.index + m[0].length, i);
  }
  return null;
}
