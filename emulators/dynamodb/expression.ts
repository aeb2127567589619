import { AwsError } from '../aws-json';

/**
 * DynamoDB condition expressions, the subset keygate writes: `attribute_exists(path)`,
 * `attribute_not_exists(path)`, the comparators `= <> < <= > >=`, `AND`, `OR`, `NOT` and
 * parentheses, with `#name` and `:value` placeholders (DynamoDB developer guide, "Condition
 * expressions"; precedence NOT > AND > OR). Comparisons follow DynamoDB: strings by code unit, numbers
 * by value, and values of different types never order (`=` is false, `<>` is true).
 */
export type AttributeValue = { S?: string; N?: string; BOOL?: boolean; NULL?: boolean; [type: string]: unknown };
export type Item = Record<string, AttributeValue>;

interface Context {
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
  usedNames: Set<string>;
  usedValues: Set<string>;
}

type Token = { kind: 'word' | 'name' | 'value' | 'op' | 'paren' | 'comma'; text: string };
type Node =
  | { t: 'or' | 'and'; a: Node; b: Node }
  | { t: 'not'; a: Node }
  | { t: 'fn'; fn: 'attribute_exists' | 'attribute_not_exists'; path: string }
  | { t: 'cmp'; op: string; a: Operand; b: Operand };
type Operand = { path: string } | { value: string };

const invalid = (message: string) => new AwsError('ValidationException', `Invalid ConditionExpression: ${message}`);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(<>|<=|>=|=|<|>)|([()])|(,)|(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw invalid(`Syntax error; token: "${text.slice(at).trim().split(/\s/)[0]}", near: "${text.slice(at, at + 12).trim()}"`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'op', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'paren', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'comma', text: m[3] });
    else if (m[4]) tokens.push({ kind: 'name', text: m[4] });
    else if (m[5]) tokens.push({ kind: 'value', text: m[5] });
    else tokens.push({ kind: 'word', text: m[6]! });
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const keyword = (word: string) => peek()?.kind === 'word' && peek()!.text.toUpperCase() === word;
  const expect = (kind: Token['kind'], textValue?: string) => {
    const t = tokens[i++];
    if (!t || t.kind !== kind || (textValue !== undefined && t.text !== textValue)) throw invalid(`Syntax error; token: "${t?.text ?? '<EOF>'}"`);
    return t;
  };
  const path = (): string => {
    const t = tokens[i++];
    if (!t || (t.kind !== 'name' && t.kind !== 'word')) throw invalid(`Syntax error; token: "${t?.text ?? '<EOF>'}"`);
    return t.text;
  };
  const operand = (): Operand => (peek()?.kind === 'value' ? { value: tokens[i++]!.text } : { path: path() });
  const primary = (): Node => {
    if (peek()?.kind === 'paren' && peek()!.text === '(') {
      i++;
      const inner = or();
      expect('paren', ')');
      return inner;
    }
    const t = peek();
    if (t?.kind === 'word' && /^attribute_(not_)?exists$/.test(t.text)) {
      i++;
      expect('paren', '(');
      const p = path();
      expect('paren', ')');
      return { t: 'fn', fn: t.text as 'attribute_exists' | 'attribute_not_exists', path: p };
    }
    const a = operand();
    const op = expect('op').text;
    return { t: 'cmp', op, a, b: operand() };
  };
  const not = (): Node => (keyword('NOT') ? (i++, { t: 'not', a: not() }) : primary());
  const and = (): Node => {
    let node = not();
    while (keyword('AND')) {
      i++;
      node = { t: 'and', a: node, b: not() };
    }
    return node;
  };
  const or = (): Node => {
    let node = and();
    while (keyword('OR')) {
      i++;
      node = { t: 'or', a: node, b: and() };
    }
    return node;
  };
  const tree = or();
  if (i < tokens.length) throw invalid(`Syntax error; token: "${tokens[i]!.text}"`);
  return tree;
}

function resolvePath(path: string, ctx: Context): string {
  return path
    .split('.')
    .map((part) => {
      if (!part.startsWith('#')) return part;
      ctx.usedNames.add(part);
      const name = ctx.names[part];
      if (name === undefined) throw invalid(`An expression attribute name used in the document path is not defined; attribute name: ${part}`);
      return name;
    })
    .join('.');
}

function operandValue(o: Operand, item: Item | undefined, ctx: Context): AttributeValue | undefined {
  if ('value' in o) {
    ctx.usedValues.add(o.value);
    const v = ctx.values[o.value];
    if (v === undefined) throw invalid(`An expression attribute value used in expression is not defined; attribute value: ${o.value}`);
    return v;
  }
  const path = resolvePath(o.path, ctx);
  return item?.[path];
}

function compare(op: string, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  const typed = (v: AttributeValue | undefined): [string, string | number | boolean] | undefined => {
    if (!v) return undefined;
    if (v.S !== undefined) return ['S', v.S];
    if (v.N !== undefined) return ['N', Number(v.N)];
    if (v.BOOL !== undefined) return ['BOOL', v.BOOL];
    return ['?', JSON.stringify(v)];
  };
  const x = typed(a);
  const y = typed(b);
  const same = x !== undefined && y !== undefined && x[0] === y[0];
  if (op === '=') return same && x![1] === y![1];
  if (op === '<>') return !(same && x![1] === y![1]);
  if (!same || (x![0] !== 'S' && x![0] !== 'N')) return false;
  const [l, r] = [x![1] as string | number, y![1] as string | number];
  return op === '<' ? l < r : op === '<=' ? l <= r : op === '>' ? l > r : l >= r;
}

function evaluate(node: Node, item: Item | undefined, ctx: Context): boolean {
  switch (node.t) {
    case 'or': {
      const a = evaluate(node.a, item, ctx);
      const b = evaluate(node.b, item, ctx);
      return a || b;
    }
    case 'and': {
      const a = evaluate(node.a, item, ctx);
      const b = evaluate(node.b, item, ctx);
      return a && b;
    }
    case 'not':
      return !evaluate(node.a, item, ctx);
    case 'fn': {
      const path = resolvePath(node.path, ctx);
      const exists = item?.[path] !== undefined;
      return node.fn === 'attribute_exists' ? exists : !exists;
    }
    case 'cmp':
      return compare(node.op, operandValue(node.a, item, ctx), operandValue(node.b, item, ctx));
  }
}

/**
 * Whether `item` (undefined: no item under the key) satisfies the condition. Like DynamoDB, every
 * placeholder must be defined and every defined one used, or the request is a ValidationException.
 */
export function checkCondition(expression: string | undefined, item: Item | undefined, names: Record<string, string> = {}, values: Record<string, AttributeValue> = {}): boolean {
  if (expression === undefined) {
    if (Object.keys(names).length) throw new AwsError('ValidationException', 'ExpressionAttributeNames can only be specified when using expressions');
    if (Object.keys(values).length) throw new AwsError('ValidationException', 'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null');
    return true;
  }
  const ctx: Context = { names, values, usedNames: new Set(), usedValues: new Set() };
  // Both sides of AND/OR are evaluated, so that every placeholder is checked as DynamoDB does.
  const result = evaluate(parse(expression), item, ctx);
  const unusedNames = Object.keys(names).filter((n) => !ctx.usedNames.has(n));
  if (unusedNames.length) throw new AwsError('ValidationException', `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
  const unusedValues = Object.keys(values).filter((v) => !ctx.usedValues.has(v));
  if (unusedValues.length) throw new AwsError('ValidationException', `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  return result;
}
