import { escapeForDisplay } from '../display';
import { KeygateError, type Problem } from './base';

/** The desired-state document cannot be used: syntax, shape or lint errors. Nothing runs on it. */
export class DesiredStateInvalidError extends KeygateError {
  override readonly name = 'DesiredStateInvalidError';
  readonly code = 'ERR_DESIRED_STATE_INVALID';

  constructor(
    readonly source: string,
    readonly problems: Problem[],
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the desired-state document:\n` +
        problems.map((p) => `  ${formatProblem(source, p)}`).join('\n'),
    );
  }
}

export function formatProblem(source: string, p: Problem): string {
  const where = p.line ? `${source}:${p.line}:${p.column ?? 1}: ` : '';
  const path = p.path === '' ? '(document)' : p.path;
  const rule = p.ruleId ? ` [${p.ruleId}]` : '';
  const fix = p.fix ? ` Fix: ${p.fix}` : '';
  // A problem quotes what the document holds: escaped, so a hostile value reads as what it is wherever the error is shown.
  return escapeForDisplay(`${where}${path}: ${p.message}${rule}${fix}`);
}
