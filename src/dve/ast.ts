/**
 * The syntax tree of a DVE model (the subset described in BEEM's README: shared variables,
 * asynchronous processes, no channels). Every node carries the position of its first token so
 * that the compiler can report `FILE:LINE:COL: ...` errors.
 */

export interface Pos {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly col: number;
}

export type VarType = 'byte' | 'int';

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%'
  | '&' | '|' | '^' | '<<' | '>>'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||' | '->';

export type UnaryOp = '-' | '!' | '~';

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly pos: Pos }
  /** A variable or constant, optionally indexed: `x`, `a[i+1]`. */
  | { readonly kind: 'var'; readonly name: string; readonly index?: Expr; readonly pos: Pos }
  /** `Proc.name`: a control state of Proc (true when Proc is in it) or a local variable of Proc. */
  | { readonly kind: 'dot'; readonly proc: string; readonly name: string; readonly index?: Expr; readonly pos: Pos; readonly namePos: Pos }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly arg: Expr; readonly pos: Pos }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly pos: Pos };

export interface VarDecl {
  readonly type: VarType;
  readonly isConst: boolean;
  readonly name: string;
  readonly pos: Pos;
  /** Array size expression (must be constant). */
  readonly size?: Expr;
  /** `= e` */
  readonly init?: Expr;
  /** `= { e, e, ... }` */
  readonly initList?: readonly Expr[];
  readonly initPos?: Pos;
}

export interface Name {
  readonly name: string;
  readonly pos: Pos;
}

export interface Assign {
  readonly target: { readonly name: string; readonly index?: Expr; readonly pos: Pos };
  readonly value: Expr;
  readonly pos: Pos;
}

export interface Transition {
  readonly from: Name;
  readonly to: Name;
  readonly guard?: Expr;
  readonly effects: readonly Assign[];
  readonly pos: Pos;
  /** The source text of the transition, comments removed and whitespace collapsed. */
  readonly text: string;
}

export interface ProcessDecl {
  readonly name: string;
  readonly pos: Pos;
  readonly vars: readonly VarDecl[];
  readonly states: readonly Name[];
  readonly init: Name;
  readonly accept: readonly Name[];
  readonly commit: readonly Name[];
  readonly transitions: readonly Transition[];
}

export interface DveModel {
  readonly file: string;
  readonly globals: readonly VarDecl[];
  readonly processes: readonly ProcessDecl[];
  readonly system: { readonly kind: 'async' | 'sync'; readonly pos: Pos };
}
