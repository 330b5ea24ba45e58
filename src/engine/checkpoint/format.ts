/**
 * The checkpoint file format: a binary container of one JSON header and named binary sections,
 * closed by a SHA-256 of everything before it.
 *
 *   "XTCKPT\r\n"                 8 bytes of magic (the \r\n catches text-mode mangling)
 *   u32 format version            little-endian, like every number here
 *   u32 header length, header     UTF-8 JSON: the search's scalars and the list of sections,
 *                                 padded with spaces to a multiple of 8 bytes
 *   section bytes                 in the header's order, `bytes` long each, each followed by zero
 *                                 bytes up to a multiple of 8 (so typed arrays can view them in place)
 *   SHA-256                       32 bytes, of every byte before it
 *
 * Sections hold typed arrays in the machine's byte order, which the header records (a file is
 * read back only on a machine of the same order). Writing is atomic: a temporary file beside the
 * target (`.NAME.tmp`), synced, then renamed over it, so a crash or kill during a write leaves the previous
 * checkpoint as it was. A file that is short, altered or not a checkpoint fails the checksum or
 * the magic and is a CheckpointError (exit 2), never an internal error.
 */
import type { Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crypto } from '../builtins.js';
import { ModelError } from '../model.js';

export const CHECKPOINT_MAGIC = Buffer.from('XTCKPT\r\n', 'latin1');
export const CHECKPOINT_VERSION = 1;
const DIGEST_BYTES = 32;

/** A checkpoint that cannot be used (unreadable, corrupt, or of another search): exit 2. */
export class CheckpointError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A section to write: its name and the typed arrays whose bytes it is, in order. */
export interface SectionOut {
  readonly name: string;
  readonly parts: readonly ArrayBufferView[];
}

export interface SectionEntry {
  readonly name: string;
  readonly bytes: number;
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function writeAll(fd: number, b: Uint8Array, hash: Hash): void {
  hash.update(b);
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}

/** Write header + sections + checksum to `file` atomically (temporary file, fsync, rename). */
export function writeCheckpointFile(file: string, header: object, sections: readonly SectionOut[]): number {
  const entries: SectionEntry[] = sections.map((s) => ({ name: s.name, bytes: s.parts.reduce((n, p) => n + p.byteLength, 0) }));
  const text = Buffer.from(JSON.stringify({ ...header, sections: entries }), 'utf8');
  const json = Buffer.concat([text, Buffer.alloc(pad8(text.length), 0x20)]);
  // one temporary name per checkpoint file: a write cut short by a kill leaves a stale one that the next write replaces
  const tmp = join(dirname(file), `.${basename(file)}.tmp`);
  const hash = crypto().createHash('sha256');
  const fd = openSync(tmp, 'w', 0o644);
  let total = 0;
  try {
    const head = Buffer.alloc(16);
    CHECKPOINT_MAGIC.copy(head, 0);
    head.writeUInt32LE(CHECKPOINT_VERSION, 8);
    head.writeUInt32LE(json.length, 12);
    writeAll(fd, head, hash);
    writeAll(fd, json, hash);
    total = head.length + json.length;
    const zeros = new Uint8Array(8);
    sections.forEach((s, k) => {
      for (const p of s.parts) {
        writeAll(fd, bytesOf(p), hash);
        total += p.byteLength;
      }
      const pad = pad8(entries[k]!.bytes);
      writeAll(fd, zeros.subarray(0, pad), hash);
      total += pad;
    });
    const digest = hash.digest();
    for (let off = 0; off < digest.length; ) off += writeSync(fd, digest, off, digest.length - off);
    total += digest.length;
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  syncDir(dirname(file));
  return total;
}

/** Make the rename durable (where the platform lets a directory be synced). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here (e.g. Windows): the rename itself is still atomic
  }
}

/** Zero bytes that bring `n` up to a multiple of 8. */
function pad8(n: number): number {
  return (8 - (n % 8)) % 8;
}

export interface CheckpointFile {
  readonly header: Record<string, unknown> & { readonly sections: readonly SectionEntry[] };
  /** Each section's bytes, 8-byte aligned (a view into the file's bytes, or a copy where the file's buffer is not aligned). */
  readonly sections: ReadonlyMap<string, Uint8Array>;
}

/** Read and verify a checkpoint file (magic, version, checksum, section lengths). */
export function readCheckpointFile(file: string): CheckpointFile {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new CheckpointError(`cannot read checkpoint ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const bad = (why: string): CheckpointError => new CheckpointError(`checkpoint ${file} is ${why}`);
  if (buf.length < 16 + DIGEST_BYTES || !buf.subarray(0, 8).equals(CHECKPOINT_MAGIC)) throw bad('not a xentimer-check checkpoint (bad magic or too short)');
  const version = buf.readUInt32LE(8);
  if (version !== CHECKPOINT_VERSION) throw bad(`of format version ${version}; this checker reads version ${CHECKPOINT_VERSION}`);
  const body = buf.subarray(0, buf.length - DIGEST_BYTES);
  const digest = crypto().createHash('sha256').update(body).digest();
  if (!digest.equals(buf.subarray(buf.length - DIGEST_BYTES))) throw bad('corrupt or truncated (checksum mismatch)');
  const jsonLen = buf.readUInt32LE(12);
  if (16 + jsonLen > body.length) throw bad('corrupt (header length)');
  let header: CheckpointFile['header'];
  try {
    header = JSON.parse(body.subarray(16, 16 + jsonLen).toString('utf8')) as CheckpointFile['header'];
  } catch {
    throw bad('corrupt (header is not JSON)');
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.sections)) throw bad('corrupt (no section list)');
  if (header['littleEndian'] !== LITTLE_ENDIAN) throw bad('from a machine of another byte order');
  const sections = new Map<string, Uint8Array>();
  let off = 16 + jsonLen;
  for (const s of header.sections) {
    if (typeof s?.name !== 'string' || !Number.isSafeInteger(s.bytes) || s.bytes < 0 || off + s.bytes > body.length) throw bad('corrupt (section table)');
    const view = body.subarray(off, off + s.bytes);
    sections.set(s.name, view.byteOffset % 8 === 0 ? view : Uint8Array.from(view));
    off += s.bytes + pad8(s.bytes);
  }
  if (off !== body.length) throw bad('corrupt (trailing bytes)');
  return { header, sections };
}
