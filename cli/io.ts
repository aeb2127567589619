import { readFileSync } from 'node:fs';
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

export const nodeIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path, 'utf8'),
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
