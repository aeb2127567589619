import { CIMD_PUBLISH_DIRECTORY_PATTERN, DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../functions/core/desired/cimd';
import { DesiredStateInvalidError, formatProblem } from '../functions/core/errors';
import type { DesiredState } from '../functions/core/desired/document';
import { checkDesiredState, parseDesiredStateText, validateDesiredStateShape } from '../functions/core/desired/load';
import type { Finding } from '../functions/core/lint';
import { lintDesiredState } from '../functions/core/lint';
import { UsageError, type CliIo } from './io';

export interface LoadedConfig {
  desired: DesiredState;
  findings: Finding[];
}

/**
 * Reads and validates `--config FILE` for a command. Shape errors are unusable input (UsageError,
 * exit 2); lint findings are returned so that `lint` and `plan` can print them. With
 * `requireClean`, error findings are unusable input too (commands that act on the document).
 */
export function loadConfig(io: CliIo, path: string | undefined, opts: { requireClean?: boolean; cimdPublishDirectory?: string } = {}): LoadedConfig {
  const context = opts.cimdPublishDirectory ? { cimdPublishDirectory: opts.cimdPublishDirectory } : {};
  if (!path) throw new UsageError('missing --config FILE (the desired-state document, for example examples/seed.yaml)');
  let text: string;
  try {
    text = io.readFile(path);
  } catch (cause) {
    throw new UsageError(`cannot read ${path}: ${describeReadError(cause)}: pass the desired-state document's file (YAML or JSON), for example examples/seed.yaml`);
  }
  try {
    const { value, locate } = parseDesiredStateText(text, path);
    if (opts.requireClean) return checkDesiredState(value, path, locate, context);
    const desired = validateDesiredStateShape(value, path, locate);
    const findings = lintDesiredState(desired, context).map((f) => {
      const pos = locate(f.pathSegments);
      return pos ? { ...f, line: pos.line, column: pos.column } : f;
    });
    return { desired, findings };
  } catch (error) {
    if (error instanceof DesiredStateInvalidError) {
      throw new UsageError(error.message, { source: error.source, problems: error.problems });
    }
    if (error instanceof TypeError && /encoded document/.test(error.message)) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

/** Why an input file could not be read, in words (no stack trace, no errno jargon where it can be helped). */
export function describeReadError(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory, not a regular file';
  if (code === 'EACCES') return 'permission denied';
  return String((cause as Error).message);
}

/**
 * `--cimd-publish-directory DIR` (the stack's CimdPublishDirectory), checked like the template checks
 * it; the template's default when absent.
 */
export function cimdPublishDirectoryOption(value: unknown): string {
  if (value === undefined) return DEFAULT_CIMD_PUBLISH_DIRECTORY;
  if (typeof value !== 'string' || !CIMD_PUBLISH_DIRECTORY_PATTERN.test(value)) {
    throw new UsageError(`--cimd-publish-directory "${String(value)}" is not an absolute directory path other than / (letters, digits and _ @ + - ., no component starting with a dot, no trailing slash), for example ${DEFAULT_CIMD_PUBLISH_DIRECTORY}`);
  }
  return value;
}

export { formatProblem };
