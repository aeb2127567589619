import { readdirSync, readFileSync } from 'node:fs';
import * as errors from '../../../functions/core/errors';
import { aslFiles, cyclesOf, scopesOf, successors, type State } from '../../support/asl';
import { fromRoot } from '../../support/paths';

/** Error names ASL may match: keygate's error classes, the listed Lambda, SDK and nested-execution names, States.*. */
function knownErrorNames(): Set<string> {
  const names = new Set<string>([...errors.LAMBDA_TRANSIENT_ERROR_NAMES, ...errors.SDK_TRANSIENT_ERROR_NAMES, ...errors.NESTED_EXECUTION_RETRY_ERROR_NAMES]);
  for (const [exported, value] of Object.entries(errors)) {
    if (typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error) names.add(exported);
  }
  return names;
}

const tasks = (file: string) => scopesOf(file).flatMap((s) => Object.entries(s.states).filter(([, st]) => st.Type === 'Task').map(([n, st]) => [s.where, n, st] as const));

describe('error module', () => {
  it('every error class sets its name as a string literal equal to the class name (minification renames classes)', () => {
    const dir = fromRoot('functions', 'core', 'errors');
    const problems: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      for (const m of text.matchAll(/export class (\w+) extends [\w.]+ \{([\s\S]*?)\n\}/g)) {
        if (/^abstract /.test(m[0].slice(7))) continue;
        const literal = /readonly name = '(\w+)'/.exec(m[2]!)?.[1];
        if (literal !== m[1]) problems.push(`${file}: class ${m[1]} has name ${literal ?? '(none)'}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe.each(aslFiles())('%s', (file) => {
  it('every Task retries transient Lambda errors and throttling, with bounded attempts', () => {
    const problems: string[] = [];
    for (const [where, name, state] of tasks(file)) {
      const retried = new Set((state.Retry ?? []).flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals));
      for (const e of [...errors.LAMBDA_TRANSIENT_ERROR_NAMES, 'ThrottlingException']) if (!retried.has(e)) problems.push(`${where} > ${name}: no Retry for ${e}`);
      for (const r of state.Retry ?? []) if (typeof r.MaxAttempts !== 'number' || r.MaxAttempts < 1 || r.MaxAttempts > 100) problems.push(`${where} > ${name}: Retry ${r.ErrorEquals} without a MaxAttempts bound`);
    }
    expect(problems).toEqual([]);
  });

  it('every wait loop is bounded: each cycle passes a Choice on an attempt counter or deadline', () => {
    const problems: string[] = [];
    for (const scope of scopesOf(file)) {
      for (const cycle of cyclesOf(scope)) {
        const bounded = cycle.some((n) => {
          const s = scope.states[n]!;
          return s.Type === 'Choice' && JSON.stringify(s.Choices).match(/attempt|remaining|deadline|elapsed|budget/i);
        });
        if (!bounded) problems.push(`${scope.where}: unbounded loop ${cycle.join(' → ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every Choice has a Default', () => {
    const missing = scopesOf(file).flatMap((s) => Object.entries(s.states).filter(([, st]) => st.Type === 'Choice' && !st.Default).map(([n]) => `${s.where} > ${n}`));
    expect(missing).toEqual([]);
  });

  it('every Catch ends in a named Fail state or a compensation that ends in one', () => {
    const problems: string[] = [];
    for (const scope of scopesOf(file)) {
      const reachesFail = (start: string, seen = new Set<string>()): boolean => {
        const s: State | undefined = scope.states[start];
        if (!s || seen.has(start)) return false;
        seen.add(start);
        if (s.Type === 'Fail') return true;
        return successors(s).some((n) => reachesFail(n, seen));
      };
      for (const [name, state] of Object.entries(scope.states)) {
        for (const c of state.Catch ?? []) {
          const target = scope.states[c.Next];
          const ok = target?.Type === 'Fail' ? / Failed$|^Fail/.test(c.Next) : reachesFail(c.Next);
          if (!ok) problems.push(`${scope.where} > ${name}: Catch ${c.ErrorEquals} → ${c.Next}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every ErrorEquals name exists in the TypeScript error module', () => {
    const known = knownErrorNames();
    const unknown: string[] = [];
    for (const scope of scopesOf(file)) {
      for (const [name, state] of Object.entries(scope.states)) {
        for (const rule of [...(state.Retry ?? []), ...(state.Catch ?? [])]) {
          for (const e of rule.ErrorEquals as string[]) if (!e.startsWith('States.') && !known.has(e)) unknown.push(`${scope.where} > ${name}: ${e}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });
});

