import { DesiredStateInvalidError, type Problem } from '../errors';
import { lintDesiredState, type LintContext } from '../lint';
import { DesiredStateSchema, type DesiredState } from './document';
import { describeIssues, formatPath } from './messages';

// The checks of a document that is already a value (a state machine input carries it as JSON), apart
// from parsing text (load.ts, with yaml): a function that receives the loaded document does not
// bundle the YAML parser.

/** Where a path of the document is in its text (load.ts parseDesiredStateText), for the messages. */
export type Locate = (path: ReadonlyArray<PropertyKey>, atKey?: boolean) => { line: number; column: number } | undefined;

/** Validates the shape of a parsed document (types, required keys, unknown keys, enums). */
export function validateDesiredStateShape(value: unknown, source = 'desired state', locate?: Locate): DesiredState {
  const result = DesiredStateSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues, DesiredStateSchema, value).map(({ path, message, fix }): Problem => {
    const pos = locate?.(path, message.startsWith('unknown key'));
    return { path: formatPath(path), message, ...(fix ? { fix } : {}), ...(pos ? { line: pos.line, column: pos.column } : {}) };
  });
  throw new DesiredStateInvalidError(source, problems);
}

/** Shape + lint for an already parsed value (a state machine input carries the document as JSON). */
export function checkDesiredState(value: unknown, source = 'desired state', locate?: Locate, context: LintContext = {}) {
  const desired = validateDesiredStateShape(value, source, locate);
  const findings = lintDesiredState(desired, context).map((f) => {
    const pos = locate?.(f.pathSegments);
    return { ...f, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  });
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length) {
    throw new DesiredStateInvalidError(
      source,
      errors.map((f) => ({ path: f.path, message: f.message, ruleId: f.ruleId, fix: f.fix, line: f.line, column: f.column })),
    );
  }
  return { desired, findings };
}
