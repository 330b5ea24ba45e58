/**
 * Recursive-descent parser for the DVE subset (see /work/shared/beem/README.md):
 *
 *   model      := (varDecl | process)* 'system' ('async' | 'sync') ';'
 *   varDecl    := ['const'] ('byte' | 'int') declarator (',' declarator)* ';'
 *   declarator := NAME ['[' expr ']'] ['=' (expr | '{' expr (',' expr)* '}')]
 *   process    := 'process' NAME '{' varDecl* clause* '}'
 *   clause     := 'state' names ';' | 'init' NAME ';' | 'accept' names ';' | 'commit' names ';'
 *               | 'trans' transition (',' transition)* ';'
 *   transition := NAME '->' NAME '{' ['guard' expr ';'] ['effect' assign (',' assign)* ';'] '}'
 *   assign     := NAME ['[' expr ']'] '=' expr
 *
 * Expressions, loosest first: `imply` (right-assoc); `||`/`or`; `&&`/`and`; `|`; `^`; `&`;
 * `==` `!=`; `<` `<=` `>` `>=`; `<<` `>>`; `+` `-`; `*` `/` `%`; unary `-` `!` `~` `not`;
 * primaries NUMBER, `true`, `false`, NAME, NAME[expr], Proc.name, Proc.name[expr], (expr).
 */
import type { Assign, BinaryOp, DveModel, Expr, Name, Pos, ProcessDecl, Transition, VarDecl, VarType } from './ast.js';
import { DveError } from './errors.js';
import { describe, lex, type Token } from './lexer.js';

const KEYWORDS = new Set([
  'process', 'state', 'init', 'trans', 'guard', 'effect', 'system', 'async', 'sync', 'byte', 'int', 'const',
  'accept', 'commit', 'and', 'or', 'not', 'imply', 'true', 'false', 'channel', 'assert', 'property', 'typedchannel',
]);

export function parseDve(text: string, file: string): DveModel {
  // a UTF-8 byte-order mark is not part of the text
  return new Parser(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file).model();
}

/**
 * Expressions are read and compiled by recursion: bounded here, so that no input can exhaust the
 * stack (a located error instead). Nesting: parentheses, indexes, unary operators and `imply`
 * inside each other; height: the depth of the expression tree (a chain `1 + 1 + ... + 1` of n
 * terms has height n).
 */
export const MAX_NESTING = 100;
export const MAX_HEIGHT = 1000;

class Parser {
  private readonly toks: Token[];
  private i = 0;
  private nesting = 0;
  private readonly heights = new WeakMap<Expr, number>();

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.toks = lex(text, file);
  }

  private get t(): Token {
    return this.toks[this.i]!;
  }

  private peek(k = 1): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  private err(pos: Pos, msg: string): never {
    throw new DveError(this.file, pos, msg);
  }

  private is(text: string): boolean {
    const t = this.t;
    return (t.kind === 'op' || t.kind === 'id') && t.text === text;
  }

  private accept(text: string): Token | undefined {
    if (this.is(text)) return this.toks[this.i++];
    return undefined;
  }

  private expect(text: string, after?: string): Token {
    if (this.is(text)) return this.toks[this.i++]!;
    this.err(this.t.pos, `expected '${text}'${after ? ` ${after}` : ''}, found ${describe(this.t)}`);
  }

  private name(what: string): Name {
    const t = this.t;
    if (t.kind !== 'id') this.err(t.pos, `expected ${what}, found ${describe(t)}`);
    if (KEYWORDS.has(t.text)) this.err(t.pos, `expected ${what}, found keyword '${t.text}'`);
    this.i++;
    return { name: t.text, pos: t.pos };
  }

  model(): DveModel {
    const globals: VarDecl[] = [];
    const processes: ProcessDecl[] = [];
    for (;;) {
      const t = this.t;
      if (t.kind === 'eof') this.err(t.pos, "expected 'system async;' at the end of the model, found end of file");
      if (this.is('system')) break;
      if (this.is('process')) processes.push(this.process());
      else if (this.is('byte') || this.is('int') || this.is('const')) globals.push(...this.varDecl());
      else if (this.is('channel') || this.is('typedchannel')) this.err(t.pos, 'channels are not supported (only shared-variable models)');
      else if (this.unknownType()) this.err(t.pos, `unknown type '${t.text}' (DVE has byte and int)`);
      else this.err(t.pos, `expected a declaration, 'process' or 'system', found ${describe(t)}`);
    }
    const sys = this.expect('system');
    let kind: 'async' | 'sync';
    if (this.accept('async')) kind = 'async';
    else if (this.accept('sync')) kind = 'sync';
    else this.err(this.t.pos, `expected 'async' or 'sync' after 'system', found ${describe(this.t)}`);
    if (this.is('property')) this.err(this.t.pos, 'property processes (system ... property P) are not supported');
    this.expect(';', `after 'system ${kind}'`);
    if (this.t.kind !== 'eof') this.err(this.t.pos, `unexpected ${describe(this.t)} after the system declaration`);
    return { file: this.file, globals, processes, system: { kind, pos: sys.pos } };
  }

  private varDecl(): VarDecl[] {
    const isConst = this.accept('const') !== undefined;
    const tt = this.t;
    let type: VarType;
    if (this.accept('byte')) type = 'byte';
    else if (this.accept('int')) type = 'int';
    else this.err(tt.pos, `expected 'byte' or 'int', found ${describe(tt)}`);
    const out: VarDecl[] = [];
    do {
      const n = this.name('a variable name');
      let size: Expr | undefined;
      if (this.accept('[')) {
        if (this.is(']')) this.err(this.t.pos, `array ${n.name} needs a size`);
        size = this.expr();
        this.expect(']', `after the size of array ${n.name}`);
      }
      let init: Expr | undefined;
      let initList: Expr[] | undefined;
      let initPos: Pos | undefined;
      if (this.is('=')) {
        initPos = this.expect('=').pos;
        if (this.is('{')) {
          initPos = this.expect('{').pos;
          initList = [];
          if (!this.is('}')) {
            do initList.push(this.expr());
            while (this.accept(','));
          }
          this.expect('}', `after the initialiser list of ${n.name}`);
        } else init = this.expr();
      }
      out.push({ type, isConst, name: n.name, pos: n.pos, size, init, initList, initPos });
    } while (this.accept(','));
    this.expect(';', 'after a variable declaration');
    return out;
  }

  /** `NAME NAME` where a declaration could start: a misspelt or unsupported type (`bool x;`). */
  private unknownType(): boolean {
    const t = this.t;
    const n = this.peek();
    return t.kind === 'id' && !KEYWORDS.has(t.text) && n.kind === 'id' && !KEYWORDS.has(n.text);
  }

  private names(what: string): Name[] {
    const out: Name[] = [this.name(what)];
    while (this.accept(',')) out.push(this.name(what));
    return out;
  }

  private process(): ProcessDecl {
    this.expect('process');
    const n = this.name('a process name');
    this.expect('{', `after 'process ${n.name}'`);
    const vars: VarDecl[] = [];
    while (this.is('byte') || this.is('int') || this.is('const')) vars.push(...this.varDecl());
    let states: Name[] | undefined;
    let init: Name | undefined;
    const accept: Name[] = [];
    const commit: Name[] = [];
    const transitions: Transition[] = [];
    let sawTrans = false;
    while (!this.is('}')) {
      const t = this.t;
      if (this.accept('state')) {
        if (states) this.err(t.pos, `process ${n.name} declares its states twice`);
        states = this.names('a state name');
        this.expect(';', 'after the state list');
      } else if (this.accept('init')) {
        if (init) this.err(t.pos, `process ${n.name} has two init clauses`);
        init = this.name('the initial state');
        this.expect(';', `after 'init ${init.name}'`);
      } else if (this.accept('accept')) {
        accept.push(...this.names('a state name'));
        this.expect(';', 'after the accept list');
      } else if (this.accept('commit')) {
        commit.push(...this.names('a state name'));
        this.expect(';', 'after the commit list');
      } else if (this.accept('trans')) {
        if (sawTrans) this.err(t.pos, `process ${n.name} has two trans clauses`);
        sawTrans = true;
        do transitions.push(this.transition());
        while (this.accept(','));
        this.expect(';', 'after the last transition');
      } else if (this.is('byte') || this.is('int') || this.is('const')) {
        this.err(t.pos, `local variables of ${n.name} must be declared before its states`);
      } else if (this.unknownType()) {
        this.err(t.pos, `unknown type '${t.text}' (DVE has byte and int)`);
      } else if (t.kind === 'eof') {
        this.err(t.pos, `expected '}' closing process ${n.name}, found end of file`);
      } else if (this.is('assert')) {
        this.err(t.pos, 'assert clauses are not supported');
      } else {
        this.err(t.pos, `expected 'state', 'init', 'accept', 'commit', 'trans' or '}' in process ${n.name}, found ${describe(t)}`);
      }
    }
    const close = this.expect('}');
    if (!states) this.err(close.pos, `process ${n.name} declares no states ('state s1, s2, ...;')`);
    if (!init) this.err(close.pos, `process ${n.name} has no 'init' clause`);
    return { name: n.name, pos: n.pos, vars, states, init, accept, commit, transitions };
  }

  private transition(): Transition {
    const first = this.t;
    const from = this.name('a transition (source state name)');
    this.expect('->', `after source state ${from.name}`);
    const to = this.name('the target state name');
    this.expect('{', `after '${from.name} -> ${to.name}'`);
    let guard: Expr | undefined;
    const effects: Assign[] = [];
    if (this.accept('guard')) {
      guard = this.expr();
      this.expect(';', 'after guard');
    }
    if (this.is('sync')) this.err(this.t.pos, 'synchronisation over channels (sync) is not supported');
    if (this.accept('effect')) {
      do effects.push(this.assign());
      while (this.accept(','));
      this.expect(';', 'after effect');
    }
    if (this.is('guard')) this.err(this.t.pos, guard ? 'a transition has at most one guard' : "the guard must come before the effect");
    if (this.is('effect')) this.err(this.t.pos, 'a transition has at most one effect (separate assignments with commas)');
    const close = this.expect('}', `closing transition ${from.name} -> ${to.name}`);
    const raw = this.text.slice(first.start, close.end);
    const text = raw.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').replace(/\s+/g, ' ').trim();
    return { from, to, guard, effects, pos: first.pos, text };
  }

  private assign(): Assign {
    const t = this.t;
    const n = this.name('a variable to assign');
    let index: Expr | undefined;
    if (this.accept('[')) {
      index = this.expr();
      this.expect(']', `after the index of ${n.name}`);
    }
    if (this.is('==')) this.err(this.t.pos, `expected '=' in an assignment to ${n.name}, found '=='`);
    this.expect('=', `after ${n.name}${index ? '[...]' : ''} in an effect`);
    const value = this.expr();
    return { target: { name: n.name, index, pos: n.pos }, value, pos: t.pos };
  }

  // ------------------------------------------------------------------ expressions

  expr(): Expr {
    return this.nested(() => this.imply());
  }

  /** Run a recursive descent one nesting level deeper (at most MAX_NESTING). */
  private nested<T>(f: () => T): T {
    if (++this.nesting > MAX_NESTING) this.err(this.t.pos, `expression nested too deeply (more than ${MAX_NESTING} levels of parentheses, indexes or unary operators)`);
    try {
      return f();
    } finally {
      this.nesting--;
    }
  }

  /** `e`, whose tree height is checked against MAX_HEIGHT. */
  private node(e: Expr, ...children: (Expr | undefined)[]): Expr {
    let h = 1;
    for (const c of children) if (c) h = Math.max(h, 1 + (this.heights.get(c) ?? 1));
    if (h > MAX_HEIGHT) this.err(e.pos, `expression too long or too deep (more than ${MAX_HEIGHT} operations in a chain); split it up`);
    this.heights.set(e, h);
    return e;
  }

  private imply(): Expr {
    const left = this.or();
    if (this.is('imply')) {
      const op = this.expect('imply');
      const right = this.nested(() => this.imply());
      return this.node({ kind: 'binary', op: '->', left, right, pos: op.pos }, left, right);
    }
    return left;
  }

  private binaryLevel(next: () => Expr, ops: Readonly<Record<string, BinaryOp>>): Expr {
    let left = next();
    for (;;) {
      const t = this.t;
      const op = (t.kind === 'op' || t.kind === 'id') && Object.prototype.hasOwnProperty.call(ops, t.text) ? ops[t.text]! : undefined;
      if (!op) return left;
      this.i++;
      const right = next();
      left = this.node({ kind: 'binary', op, left, right, pos: t.pos }, left, right);
    }
  }

  private or(): Expr {
    return this.binaryLevel(() => this.and(), { '||': '||', or: '||' });
  }
  private and(): Expr {
    return this.binaryLevel(() => this.bitor(), { '&&': '&&', and: '&&' });
  }
  private bitor(): Expr {
    return this.binaryLevel(() => this.bitxor(), { '|': '|' });
  }
  private bitxor(): Expr {
    return this.binaryLevel(() => this.bitand(), { '^': '^' });
  }
  private bitand(): Expr {
    return this.binaryLevel(() => this.equality(), { '&': '&' });
  }
  private equality(): Expr {
    return this.binaryLevel(() => this.relational(), { '==': '==', '!=': '!=' });
  }
  private relational(): Expr {
    return this.binaryLevel(() => this.shift(), { '<': '<', '<=': '<=', '>': '>', '>=': '>=' });
  }
  private shift(): Expr {
    return this.binaryLevel(() => this.additive(), { '<<': '<<', '>>': '>>' });
  }
  private additive(): Expr {
    return this.binaryLevel(() => this.multiplicative(), { '+': '+', '-': '-' });
  }
  private multiplicative(): Expr {
    return this.binaryLevel(() => this.unary(), { '*': '*', '/': '/', '%': '%' });
  }

  private unary(): Expr {
    const t = this.t;
    const op = this.accept('-') ? '-' : this.accept('!') || this.accept('not') ? '!' : this.accept('~') ? '~' : this.accept('+') ? '+' : undefined;
    if (op === undefined) return this.primary();
    const arg = this.nested(() => this.unary());
    return op === '+' ? arg : this.node({ kind: 'unary', op, arg, pos: t.pos }, arg);
  }

  private primary(): Expr {
    const t = this.t;
    if (t.kind === 'num') {
      this.i++;
      return { kind: 'num', value: t.value, pos: t.pos };
    }
    if (this.accept('true')) return { kind: 'num', value: 1, pos: t.pos };
    if (this.accept('false')) return { kind: 'num', value: 0, pos: t.pos };
    if (this.accept('(')) {
      const e = this.expr();
      this.expect(')', 'closing a parenthesis');
      return e;
    }
    if (t.kind === 'id' && !KEYWORDS.has(t.text)) {
      this.i++;
      if (this.accept('.')) {
        const n = this.name(`a state or variable of process ${t.text}`);
        const index = this.index(n.name);
        return this.node({ kind: 'dot', proc: t.text, name: n.name, index, pos: t.pos, namePos: n.pos }, index);
      }
      const index = this.index(t.text);
      return this.node({ kind: 'var', name: t.text, index, pos: t.pos }, index);
    }
    if (t.kind === 'id') this.err(t.pos, `expected an expression, found keyword '${t.text}'`);
    this.err(t.pos, `expected an expression, found ${describe(t)}`);
  }

  private index(name: string): Expr | undefined {
    if (!this.accept('[')) return undefined;
    const e = this.expr();
    this.expect(']', `after the index of ${name}`);
    return e;
  }
}
