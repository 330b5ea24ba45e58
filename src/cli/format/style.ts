/**
 * Colour is injected into formatters as a Style; formatters never import chalk. `plain` is the
 * identity style used for files, machine formats, NO_COLOR and non-terminals.
 */
export type Paint = (s: string) => string;

export interface Style {
  readonly enabled: boolean;
  readonly bold: Paint;
  readonly dim: Paint;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly blue: Paint;
  readonly cyan: Paint;
  readonly magenta: Paint;
}

const id: Paint = (s) => s;

export const plain: Style = { enabled: false, bold: id, dim: id, red: id, green: id, yellow: id, blue: id, cyan: id, magenta: id };
