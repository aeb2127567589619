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
export function loadConfig(io: CliIo, path: string | undefined, opts: { requireClean?: boolean } = {}): LoadedConfig {
  if (!path) throw new UsageError('missing --config FILE (the desired-state document, for example examples/seed.yaml)');
  let text: string;
  try {
    text = io.readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((cause as Error).message)}`);
  }
  try {
    const { value, locate } = parseDesiredStateText(text, path);
    if (opts.requireClean) return checkDesiredState(value, path, locate);
    const desired = validateDesiredStateShape(value, path, locate);
    const findings = lintDesiredState(desired).map((f) => {
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

export { formatProblem };
