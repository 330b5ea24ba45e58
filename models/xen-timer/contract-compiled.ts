/**
 * The contract invariants' per-vCPU parts (contract.ts: contractDefinitions) compiled into one
 * function each per vCPU, with the field offsets, labels and owner ids as constants — as the DVE
 * compiler compiles guards — instead of closures that look the offsets up on every state and find
 * the vCPU's quiescence test in a table. The definitions stay the reference: the xen-contract test
 * compares both on random and reachable states of several variants.
 */
import type { Lock, Proc } from '../../src/kernel/index.js';
import { quiescentMutexLabels } from './contract.js';
import type { Vcpu, Xen } from './context.js';

type Compiled = (s: Uint8Array) => boolean;

/** The four parts for vCPU `vc`. */
export interface CompiledParts {
  readonly lost: Compiled;
  readonly truthful: Compiled;
  readonly wakeup: Compiled;
  readonly quiet: Compiled;
}

export function compileContractParts(x: Xen, vc: Vcpu): CompiledParts {
  const t = vc.thread;
  const cb = vc.cb;
  const o = (f: { offset: number }): string => `s[${f.offset}]`;
  const idle = (p: Proc): string => `s[${p.pc.offset}] === ${p.idle}`;
  const enq = o(vc.timer.enqueued);
  // quiescentState (contract.ts): callback idle and the hrtimer not enqueued, the sender (if any)
  // idle, and the thread idle with its script spent and no KVM_REQ_UNBLOCK — or waiting at a
  // mutex_lock label of a mutex it holds itself
  const selfWait = quiescentMutexLabels(x, vc).map(({ lock, pcs }) => (pcs.length === 0 ? '' : `switch (s[${t.pc.offset}]) { ${pcs.map((pc) => `case ${pc}:`).join(' ')} if (${heldSrc(lock, t)}) return true; }`));
  const quiescent = [
    `if (!(${idle(cb)}) || ${enq} === 1) return false;`,
    ...(x.sender ? [`if (!(${idle(x.sender)})) return false;`] : []),
    `if (${idle(t)}) return ${o(vc.ops)} === ${x.p.ops} && ${o(vc.st.reqUnblock)} === 0;`,
    ...selfWait,
    'return false;',
  ].join('\n');
  const truthful = `if (!(${idle(t)}) || !(${idle(cb)})) return true;
const g = ${o(vc.gen)};
const live = g > ${o(vc.dead)};
const queued = ${enq} === 1 && ${o(vc.hrGen)} === g;
const pending = ${o(vc.pending)} > 0 && ${o(vc.expired)} === 1;
return (live && (queued || pending)) === (${o(vc.expires)} === 1);`;
  const quiet = `return ${o(vc.tornDown)} === 0 || (${enq} === 0 && ${idle(cb)});`;
  const q = compile(quiescent);
  return {
    truthful: compile(truthful),
    quiet: compile(quiet),
    wakeup: compile(`return ${o(vc.unseen)} === 0 || !q(s);`, q),
    lost: compile(`return ${o(vc.gen)} <= ${o(vc.dead)} || ${o(vc.served)} === 1 || !q(s);`, q),
  };
}

/** "p holds lock" as an expression over s (every lock the quiescence test asks about has one). */
function heldSrc(lock: Lock, p: Proc): string {
  const src = lock.heldSrc(p);
  if (src === null) throw new Error(`contract: lock ${lock.name} has no held() expression`);
  return src;
}

/** A state predicate with `body`; `q`: the quiescence test it may call. */
function compile(body: string, q?: Compiled): Compiled {
  return new Function('q', `return (s) => {\n${body}\n};`)(q) as Compiled;
}
