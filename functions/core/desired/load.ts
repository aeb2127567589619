import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { DesiredStateInvalidError, type Problem } from '../errors';
import { lintDesiredState } from '../lint';
import { DesiredStateSchema, type DesiredState } from './document';
import { decodeDocument, isEncodedDocument } from './encoding';
import { describeIssues, formatPath } from './messages';

type Locate = (path: ReadonlyArray<PropertyKey>, atKey?: boolean) => { line: number; column: number } | undefined;

export interface ParsedText {
  value: unknown;
  locate: Locate;
}

/**
 * Parses YAML or JSON text (JSON is YAML) into a plain value, keeping positions so that later
 * problems can name the line. Duplicate keys are errors. Throws {@link DesiredStateInvalidError}.
 */
export function parseDesiredStateText(text: string, source = 'desired state'): ParsedText {
  const body = isEncodedDocument(text) ? decodeDocument(text) : text;
  const lineCounter = new LineCounter();
  const doc = parseDocument(body, { lineCounter, uniqueKeys: true, prettyErrors: true, version: '1.2' });
  const syntax = [...doc.errors, ...doc.warnings].map((e): Problem => {
    const pos = e.linePos?.[0];
    return {
      path: '',
      message: `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')}`,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    };
  });
  if (syntax.length) throw new DesiredStateInvalidError(source, syntax);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DesiredStateInvalidError(source, [
      { path: '', message: 'must be a mapping with the keys version, gateway, targets, keycloak (see docs/desired-state.md)' },
    ]);
  }
  return { value, locate: locator(doc, lineCounter) };
}

function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, atKey = false) => {
    // Walk up to the nearest existing node: a missing key is reported at its parent mapping.
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      const parent = n === 0 ? doc.contents : doc.getIn(prefix.slice(0, -1), true);
      let node: unknown;
      if (n === 0) node = doc.contents;
      else if (isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === prefix[n - 1]);
        node = pair && (atKey || n < path.length || pair.value === null) ? pair.key : pair?.value;
      } else if (isSeq(parent)) node = parent.items[prefix[n - 1] as number];
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        const { line, col } = lineCounter.linePos(range[0]);
        return { line, column: col };
      }
    }
    return undefined;
  };
}

/** Validates the shape of a parsed document (types, required keys, unknown keys, enums). */
export function validateDesiredStateShape(value: unknown, source = 'desired state', locate?: Locate): DesiredState {
  const result = DesiredStateSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues, DesiredStateSchema, value).map(({ path, message }): Problem => {
    const pos = locate?.(path, message.startsWith('unknown key'));
    return { path: formatPath(path), message, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  });
  throw new DesiredStateInvalidError(source, problems);
}

/**
 * The one loader every Lambda, state machine input and CLI command uses: parse, check the shape,
 * then the lint rules. Any error-severity finding makes the document unusable, so nothing runs on
 * it; every problem is listed at once.
 *
 * @example
 * const desired = loadDesiredState(readFileSync('examples/seed.yaml', 'utf8'), 'examples/seed.yaml');
 */
export function loadDesiredState(text: string, source = 'desired state'): DesiredState {
  const { value, locate } = parseDesiredStateText(text, source);
  return checkDesiredState(value, source, locate).desired;
}

/** Shape + lint for an already parsed value (a state machine input carries the document as JSON). */
export function checkDesiredState(value: unknown, source = 'desired state', locate?: Locate) {
  const desired = validateDesiredStateShape(value, source, locate);
  const findings = lintDesiredState(desired).map((f) => {
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
