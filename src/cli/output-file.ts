/**
 * Report files: checked before the search starts (so an hour of search is not lost to a typo in
 * --output), never written over an input, and written atomically (a temporary file in the same
 * folder, then rename), so a reader never sees half a report and a failed write leaves the old
 * file as it was.
 */
import { accessSync, constants, existsSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { usage } from './exit.js';

const HINT = 'check that the folder exists and is writable';

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * Exit 2 unless `output` (as given, relative to cwd) can be written: its folder exists and is
 * writable, it is not a folder, not read-only, and not one of `inputs` (model files, reports read).
 */
export function checkOutput(output: string, cwd: string, inputs: readonly string[] = []): void {
  const path = resolve(cwd, output);
  const target = real(path);
  for (const i of inputs) {
    if (real(resolve(cwd, i)) === target) throw usage(`refusing to write the report over the input file ${output}`, 'give --output another file name');
  }
  const dir = dirname(path);
  if (!existsSync(dir)) throw usage(`cannot write ${output}: the folder ${dirname(output)} does not exist`, HINT);
  if (!statSync(dir).isDirectory()) throw usage(`cannot write ${output}: ${dirname(output)} is not a folder`, HINT);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw usage(`cannot write ${output}: the folder ${dirname(output)} is not writable`, HINT);
  }
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw usage(`cannot write ${output}: it is a folder`, 'give --output a file name');
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw usage(`cannot write ${output}: the file is read-only`, HINT);
    }
  }
}

/**
 * Write `data` to `path` via a temporary file in the same folder and a rename. Throws on failure.
 * A path that exists and is not a regular file (/dev/stdout, a FIFO) is written in place.
 */
export function writeAtomic(path: string, data: string): void {
  if (existsSync(path) && !statSync(path).isFile()) {
    writeFileSync(path, data);
    return;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* it was not created */
    }
    throw e;
  }
}
