import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { DesiredStateInvalidError, type Problem } from '../errors';
import type { LintContext } from '../lint';
import { checkDesiredState, type Locate } from './check';
import type { DesiredState } from './document';
import { decodeDocument, isEncodedDocument } from './encoding';
import { formatPath } from './messages';

export interface ParsedText {
  value: unknown;
  locate: Locate;
}

/**
 * Parses YAML or JSON text (JSON is YAML) into a plain value, keeping positions so that later
 * problems can name the line. Duplicate keys are errors. Throws {@link DesiredStateInvalidError}.
 */
export function parseDesiredStateText(text: string, source = 'desired state'): ParsedText {
  const encoded = isEncodedDocument(text);
  const body = encoded ? decodeDocument(text) : text;
  const lineCounter = new LineCounter();
  // A .json file is read as JSON: YAML would take a trailing comma or a comment, and its errors would say YAML.
  const format = !encoded && /\.json$/i.test(source) ? 'JSON' : 'YAML';
  const doc = parseDocument(body, { lineCounter, uniqueKeys: true, prettyErrors: true, version: '1.2' });
  if (format === 'JSON') {
    const problem = jsonSyntaxProblem(body, lineCounter);
    if (problem) throw new DesiredStateInvalidError(source, [problem]);
  }
  const syntax = [...doc.errors, ...doc.warnings].map((e) => syntaxProblem(doc, lineCounter, e, body, format));
  if (syntax.length) throw new DesiredStateInvalidError(source, syntax);
  if (doc.contents === null) {
    throw new DesiredStateInvalidError(source, [
      { path: '', message: 'the file is empty', fix: 'write the desired-state document (keys version, gateway, targets, keycloak), for example from examples/seed.yaml (docs/desired-state.md)' },
    ]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when expanding aliases (*name) would multiply the document
    // ("billion laughs"): https://eemeli.org/yaml/#tojs-options (maxAliasCount).
    throw new DesiredStateInvalidError(source, [
      /alias/i.test((error as Error).message)
        ? { path: '', message: `invalid YAML: its aliases (*name) expand to too much data (over the limit of ${MAX_ALIAS_COUNT} alias expansions)`, fix: 'write the repeated values out, or use fewer aliases: a desired-state document needs none' }
        : { path: '', message: `invalid YAML: ${(error as Error).message}` },
    ]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DesiredStateInvalidError(source, [
      { path: '', message: 'must be a mapping with the keys version, gateway, targets, keycloak (see docs/desired-state.md)' },
    ]);
  }
  return { value, locate: locator(doc, lineCounter) };
}

/** How many alias uses one document may expand: the yaml default, named here because the error message says it. */
const MAX_ALIAS_COUNT = 100;

/** JSON.parse's complaint about a .json file, at its line and column; undefined when it parses. */
function jsonSyntaxProblem(body: string, lineCounter: LineCounter): Problem | undefined {
  try {
    JSON.parse(body);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const offset = /at position (\d+)/.exec(message)?.[1];
    const at = (o: number) => ((p) => ({ line: p.line, column: p.col }))(lineCounter.linePos(o));
    const where = offset === undefined ? {} : at(Number(offset));
    // Something opened is never closed: name where it opened, as for YAML. A string ends at its line
    // (JSON strings hold no line break); a bracket at the end of the file, which says nothing about
    // where the closer is missing.
    const stop = offset === undefined ? body.length : Number(offset);
    const string = /Unterminated string/.test(message) || (/Bad control character/.test(message) && body[stop] === '\n') ? unclosedOpener(body, stop, '"') : undefined;
    if (string !== undefined || stop >= body.trimEnd().length) {
      const bracket = Math.max(unclosedOpener(body, body.length, '[') ?? -1, unclosedOpener(body, body.length, '{') ?? -1);
      const opened = string ?? (bracket >= 0 ? bracket : undefined);
      if (opened !== undefined) {
        const opener = body[opened] as '[' | '{' | '"';
        const [what, closer] = opener === '[' ? ['array', ']'] : opener === '{' ? ['object', '}'] : ['string', '"'];
        const noticed = 'line' in where ? ` (the parser noticed at line ${where.line})` : ' (the parser noticed at the end of the file)';
        return { path: '', message: `invalid JSON: the ${what} opened here with ${opener} is not closed${noticed}`, fix: `close it with ${closer} where it ends`, ...at(opened) };
      }
    }
    const what = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
    return { path: '', message: `invalid JSON: ${what}`, fix: 'JSON takes no trailing comma, comment or single-quoted string; to write YAML, name the file .yaml', ...where };
  }
}

/**
 * Where an unclosed `[`, `{` or quote opened: the parser notices only where the text stops making
 * sense, often lines later. Scans up to `offset`, skipping quoted text and comments; the last opener
 * of `kind` left unmatched.
 */
export function unclosedOpener(body: string, offset: number, kind: '[' | '{' | '"' | "'"): number | undefined {
  const open: Array<{ char: string; at: number }> = [];
  let quote: { char: string; at: number } | undefined;
  for (let i = 0; i < Math.min(offset, body.length); i++) {
    const c = body[i]!;
    if (quote) {
      if (quote.char === '"' && c === '\\') i++;
      else if (c === quote.char && !(c === "'" && body[i + 1] === "'")) quote = undefined;
      else if (c === "'" && quote.char === "'" && body[i + 1] === "'") i++;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(body[i - 1]!))) {
      while (i < body.length && body[i] !== '\n') i++;
      continue;
    }
    // A quote starts a quoted scalar only where a scalar may start (not inside a plain word: it's).
    if ((c === '"' || c === "'") && (i === 0 || /[\s\[{,:-]/.test(body[i - 1]!))) quote = { char: c, at: i };
    else if (c === '[' || c === '{') open.push({ char: c, at: i });
    else if (c === ']' || c === '}') open.pop();
  }
  if (kind === '"' || kind === "'") return quote?.char === kind ? quote.at : undefined;
  return open.filter((o) => o.char === kind).at(-1)?.at;
}

/** A YAML syntax error as a problem; duplicate keys, a second document and an unclosed bracket or quote get their own wording. */
function syntaxProblem(doc: Document, lineCounter: LineCounter, e: YAMLError, body: string, format: 'YAML' | 'JSON'): Problem {
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const pos = e.linePos?.[0];
  const where = pos ? { line: pos.line, column: pos.col } : {};
  if (e.code === 'DUPLICATE_KEY') {
    const found = keyAt(doc.contents, e.pos[0], []);
    if (found) {
      const key = String(found.path[found.path.length - 1]);
      const first = found.first === undefined ? '' : ` (first at line ${at(found.first).line})`;
      return { path: formatPath(found.path), message: `is declared twice in the same mapping${first}`, fix: `keep one "${key}" key: ${format === 'JSON' ? 'keygate refuses a repeated key (JSON.parse would keep the last one silently)' : 'YAML keeps no duplicate keys'}`, ...where };
    }
  }
  if (e.code === 'MULTIPLE_DOCS') {
    return {
      path: '',
      message: `the file must hold one YAML document, but a second one starts at line ${at(e.pos[0]).line} (after a "---" or "..." line)`,
      fix: 'keep one document per file: remove the separator line and what follows, or move it to its own file',
      ...at(e.pos[0]),
    };
  }
  const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
  const closer = /end with an? ([\]}])/.exec(first)?.[1] ?? (/^Missing closing ("|')quote/.exec(first)?.[1] as '"' | "'" | undefined);
  const opener = closer === ']' ? '[' : closer === '}' ? '{' : closer;
  const opened = opener ? unclosedOpener(body, e.pos[0], opener as '[' | '{' | '"' | "'") : undefined;
  if (opener && opened !== undefined) {
    const noticed = pos ? ` (the parser noticed at line ${pos.line})` : '';
    const what = opener === '[' ? 'list' : opener === '{' ? 'mapping' : 'quoted string';
    return { path: '', message: `invalid ${format}: the ${what} opened here with ${opener} is not closed${noticed}`, fix: `close it with ${closer} on the line where it ends`, ...at(opened) };
  }
  return { path: '', message: `invalid ${format}: ${first}`, ...where };
}

/** The path of the mapping key that starts at `offset`, and where the same key first appears in that mapping. */
function keyAt(node: unknown, offset: number, path: PropertyKey[]): { path: PropertyKey[]; first?: number } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as { value?: unknown; range?: [number, number, number] } | null;
      const name = isScalar(key) ? key.value : key;
      if (key?.range?.[0] === offset) {
        const first = node.items.find((p) => isScalar(p.key) && (p.key as { value?: unknown }).value === name && p !== pair);
        return { path: [...path, String(name)], ...(first ? { first: (first.key as { range: [number, number, number] }).range[0] } : {}) };
      }
      const inner = keyAt(pair.value, offset, [...path, String(name)]);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const inner = keyAt(item, offset, [...path, i]);
      if (inner) return inner;
    }
  }
  return undefined;
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

/**
 * The one loader every Lambda, state machine input and CLI command uses: parse, check the shape,
 * then the lint rules. Any error-severity finding makes the document unusable, so nothing runs on
 * it; every problem is listed at once.
 *
 * @example
 * const desired = loadDesiredState(readFileSync('examples/seed.yaml', 'utf8'), 'examples/seed.yaml');
 */
export function loadDesiredState(text: string, source = 'desired state', context: LintContext = {}): DesiredState {
  const { value, locate } = parseDesiredStateText(text, source);
  return checkDesiredState(value, source, locate, context).desired;
}
