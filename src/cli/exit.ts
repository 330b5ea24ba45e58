/**
 * Exit codes and error classification: the one place that decides how the process ends.
 *
 *   0  pass        exploration completed and every property holds (matrix: no difference)
 *   1  violation   a property is violated (matrix: a verdict differs; replay: does not reproduce)
 *   2  usage       bad arguments or bad model input (unknown model / variant / option, bad number,
 *                  unreadable file, malformed trace, DVE syntax error, model building error)
 *   3  incomplete  a budget or bound was hit before completion and no violation was found
 *   4  internal    anything else (a bug in the checker or in a model's code)
 */
import { CommanderError } from 'commander';
import { ModelError } from '../engine/model.js';
import { SchemaError } from '../engine/schema.js';
import { ReplayError } from '../engine/trace.js';
import { ParamError } from '../../models/registry.js';
import { CliError, EXIT, type ExitCode } from './cli-error.js';

// the exit codes and CliError are in cli-error.ts (a worker thread's start-up path needs them without commander)
export { CliError, EXIT, usage, type ExitCode } from './cli-error.js';

/** Rows of the exit-code table (README and `--help` share them). */
export const EXIT_TABLE: readonly { code: ExitCode; meaning: string }[] = [
  { code: EXIT.pass, meaning: 'exploration completed and every property holds (matrix: same as expected; replay: reproduces)' },
  { code: EXIT.violation, meaning: 'a property is violated (matrix: a verdict or count differs; replay: does not reproduce)' },
  { code: EXIT.usage, meaning: 'bad arguments or bad model input (unknown model/variant/option, bad number, unreadable file, malformed trace, model error)' },
  { code: EXIT.incomplete, meaning: 'a budget or bound was hit before completion and no violation was found' },
  { code: EXIT.internal, meaning: 'internal error (a bug in the checker or in a model)' },
];

export interface Classified {
  readonly code: ExitCode;
  /** One line; empty when nothing is to be printed (help was shown). */
  readonly message: string;
  readonly hint?: string;
  /** Print the stack with --debug (internal errors only carry a useful one). */
  readonly internal: boolean;
}

/** Errors that are the input's fault rather than ours, recognised by class name across module copies. */
const INPUT_ERRORS = new Set(['DveError', 'ParamError', 'ModelError', 'SchemaError', 'ReplayError']);

export function classify(err: unknown): Classified {
  if (err instanceof CliError) return { code: err.code, message: oneLine(err.message), hint: err.hint, internal: false };
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' || err.exitCode === 0) {
      return { code: EXIT.pass, message: '', internal: false };
    }
    return { code: EXIT.usage, message: oneLine(err.message.replace(/^error:\s*/i, '')), hint: 'see --help', internal: false };
  }
  if (err instanceof Error && err.name === 'CheckpointError') return { code: EXIT.usage, message: oneLine(err.message), hint: 'resume with the model, parameters and options the checkpoint was written with, or start afresh without --resume', internal: false };
  if (err instanceof ParamError) return { code: EXIT.usage, message: oneLine(err.message), hint: 'run `xentimer-check list` for the models and their parameters', internal: false };
  if (err instanceof ModelError || err instanceof SchemaError || err instanceof ReplayError) {
    return { code: EXIT.usage, message: oneLine(err.message), hint: 'the model input is inconsistent', internal: false };
  }
  if (err instanceof Error && (INPUT_ERRORS.has(err.name) || INPUT_ERRORS.has(err.constructor.name))) {
    return { code: EXIT.usage, message: oneLine(err.message), hint: 'fix the model input', internal: false };
  }
  const message = err instanceof Error ? `${errorLabel(err)}${err.message}` : String(err);
  return { code: EXIT.internal, message: `internal error: ${oneLine(message)}`, hint: 'run again with --debug for the stack trace, and please report it', internal: true };
}

/** `RangeError: ` (by name: an error re-raised from a worker thread keeps only its name), or nothing for a plain Error. */
function errorLabel(err: Error): string {
  const name = err.name !== 'Error' ? err.name : err.constructor.name;
  return name === 'Error' ? '' : `${name}: `;
}

/** The exit code of a check result. */
export function exitForStatus(status: 'pass' | 'violation' | 'incomplete'): ExitCode {
  return status === 'pass' ? EXIT.pass : status === 'violation' ? EXIT.violation : EXIT.incomplete;
}

export function oneLine(s: string): string {
  return s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ');
}
