import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import type { Problem } from '../functions/core/errors';

/** Everything a command touches outside itself, injected so that tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): string;
  isTTY: boolean;
  /** The terminal's width, when stdout is one. */
  columns?: number;
  env: Record<string, string | undefined>;
}

/** The largest file the CLI reads (a desired-state document, a realm snapshot): far above any real one. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/**
 * Reads an input file the CLI was given, as UTF-8: a regular file of at most {@link MAX_INPUT_BYTES}.
 * A FIFO, a device (/dev/zero), a socket or a directory is refused without reading from it: opened
 * non-blocking (a FIFO without a writer would block the open itself), judged by fstat of what was
 * opened, and read only up to the limit (a file that grows meanwhile stops there). Errors carry
 * `code` `EKEYGATEINPUT` and say what the path is.
 */
export function readInputFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw inputError(`it is ${kindOf(st)}, not a regular file`);
    if (st.size > MAX_INPUT_BYTES) throw inputError(`it is ${st.size} bytes, over the ${MAX_INPUT_BYTES}-byte limit for an input file`);
    const buffer = Buffer.alloc(MAX_INPUT_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length <= MAX_INPUT_BYTES; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_INPUT_BYTES) throw inputError(`it grew over the ${MAX_INPUT_BYTES}-byte limit for an input file while it was read`);
    return textOf(buffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}

/**
 * The file's bytes as text, or "not a text file": a NUL byte or invalid UTF-8 means a binary file (or
 * another encoding) given by mistake, which decoding would turn into U+FFFD and confusing YAML errors.
 */
function textOf(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw inputError(`not a text file (a NUL byte at byte ${nul + 1})`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const text = bytes.toString('utf8');
    // The first byte where decoding and re-encoding part: where the invalid sequence starts.
    const again = Buffer.from(text, 'utf8');
    let at = 0;
    while (at < bytes.length && bytes[at] === again[at]) at++;
    throw inputError(`not a text file (invalid UTF-8 at byte ${at + 1})`);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const inputError = (message: string) => Object.assign(new Error(message), { code: 'EKEYGATEINPUT' });

export const nodeIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: readInputFile,
  isTTY: Boolean(process.stdout.isTTY),
  get columns() {
    return process.stdout.columns;
  },
  env: process.env,
};

/**
 * A mistake in how keygate was called or in what it was given: printed without a stack trace. When
 * the input is a file with problems (the document, a snapshot), `source` and `problems` carry them,
 * so that `--json` can print them as data.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    readonly input?: { source: string; problems: Problem[] },
  ) {
    super(message);
  }
}

/**
 * Every `--json` output: one object on stdout whose first keys are `format` (`keygate.<kind>/<n>`)
 * and `ok` (true exactly when the command exits 0), then the command's own fields (README, "JSON output").
 */
export function printJson(io: CliIo, format: string, ok: boolean, payload: object): void {
  io.stdout(`${JSON.stringify({ format, ok, ...payload }, null, 2)}\n`);
}

/** Exit codes shared by every command (README, "Exit codes"). */
export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 70 } as const;
