import { readdirSync, readFileSync } from 'node:fs';
import { fromRoot } from './paths';

export type State = Record<string, any> & { Type: string };
export interface Scope {
  where: string;
  states: Record<string, State>;
  startAt: string;
}

export const aslFiles = (): string[] => readdirSync(fromRoot('statemachine')).filter((f) => f.endsWith('.asl.json'));
export const loadAsl = (file: string) => JSON.parse(readFileSync(fromRoot('statemachine', file), 'utf8')) as { StartAt: string; TimeoutSeconds?: number; States: Record<string, State> };

/** The machine's top-level states and those of every Map/Parallel branch, each as its own scope. */
export function scopesOf(file: string): Scope[] {
  const scopes: Scope[] = [];
  const visit = (where: string, def: { StartAt: string; States: Record<string, State> }) => {
    scopes.push({ where, states: def.States, startAt: def.StartAt });
    for (const [name, state] of Object.entries(def.States)) {
      if (state.Type === 'Map') visit(`${where} > ${name}`, state.ItemProcessor ?? state.Iterator);
      if (state.Type === 'Parallel') state.Branches.forEach((b: never, i: number) => visit(`${where} > ${name}[${i}]`, b));
    }
  };
  visit(file, loadAsl(file));
  return scopes;
}

/** Names of the states a state can go to next. */
export function successors(state: State): string[] {
  const next: string[] = [];
  if (state.Next) next.push(state.Next);
  if (state.Default) next.push(state.Default);
  for (const c of state.Choices ?? []) next.push(c.Next);
  for (const c of state.Catch ?? []) next.push(c.Next);
  return next;
}

/** Every simple cycle of the state graph in a scope (as lists of state names). */
export function cyclesOf(scope: Scope): string[][] {
  const cycles: string[][] = [];
  const names = Object.keys(scope.states);
  const index = new Map(names.map((n, i) => [n, i]));
  for (const start of names) {
    const stack: Array<[string, string[]]> = [[start, [start]]];
    while (stack.length) {
      const [node, path] = stack.pop()!;
      for (const next of successors(scope.states[node]!)) {
        if (next === start) cycles.push(path);
        else if (!path.includes(next) && index.get(next)! > index.get(start)!) stack.push([next, [...path, next]]);
      }
    }
  }
  return cycles;
}
