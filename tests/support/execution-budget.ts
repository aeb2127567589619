import { MAX_READY_TIMEOUT_SECONDS } from '../../functions/core/desired/gateway';
import { loadTemplate, type Template } from '../../scripts/template';
import { loadAsl, successors, type State } from './asl';
import { ROOT } from './paths';

/**
 * AgentCore allows 100 targets per gateway (agentcore-gateway-api.md §11): the most items the
 * provisioning and repair Maps can have.
 */
export const MAX_TARGETS = 100;
/** resourcePolicy.rotationGracePeriodSeconds allows up to a day (functions/core/desired/resource-policy.ts). */
export const MAX_GRACE_PERIOD_SECONDS = 86_400;
/** How often a state may run in one execution: once, or twice in drift's repair loop (repair, then one more look). */
const MAX_VISITS = 2;

type Retrier = { IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number; MaxAttempts?: number };

/** The longest a retrier waits between attempts (FULL jitter draws each delay from [0, delay]: at most the delay). */
export function retryDelays(r: Retrier): number {
  let total = 0;
  for (let n = 0; n < (r.MaxAttempts ?? 3); n++) total += Math.min(r.MaxDelaySeconds ?? Infinity, (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n);
  return total;
}

/**
 * The longest an execution of statemachine/<file> can take without anything hanging: every wait the
 * definition allows (each Retry's delays, each Wait, each Map's waves of MaxConcurrency items, each
 * nested execution's own budget), plus one function timeout per Task (a hung invocation, the one thing
 * no wait covers), along the longest path; a state in a loop runs at most twice (drift's second look
 * after a repair). The machine's TimeoutSeconds is this, rounded up to the minute: a run that waits
 * as long as it may never times out, and a hung one does, so its ExecutionsTimedOut alarm fires.
 */
export function executionBudgetSeconds(file: string, template: Template = loadTemplate(ROOT)): number {
  const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::Serverless::StateMachine' && r.Properties?.DefinitionUri === `statemachine/${file}`);
  if (!machine) throw new TypeError(`no state machine in template.yaml runs statemachine/${file}`);
  const substitutions = (machine.Properties!.DefinitionSubstitutions ?? {}) as Record<string, { 'Fn::GetAtt'?: [string, string]; Ref?: string }>;
  const globalTimeout = Number(template.Globals?.Function?.Timeout ?? 3);

  const taskSeconds = (state: State): number => {
    const placeholder = /^\$\{(\w+)\}$/.exec(String(state.Resource))?.[1];
    const delays = ((state.Retry ?? []) as Retrier[]).reduce((n, r) => n + retryDelays(r), 0);
    if (state.Resource === 'arn:aws:states:::states:startExecution.sync:2') {
      // A retry here is a start the service refused (the child did not run): the child's budget once.
      const child = /^\$\{(\w+)\}$/.exec(String(state.Parameters?.StateMachineArn))?.[1];
      const childId = child ? substitutions[child]?.Ref : undefined;
      const childFile = childId ? String(template.Resources[childId]?.Properties?.DefinitionUri).replace(/^statemachine\//, '') : undefined;
      if (!childFile) throw new TypeError(`${file}: nested execution of ${String(state.Parameters?.StateMachineArn)} is not a state machine of the template`);
      return executionBudgetSeconds(childFile, template) + delays;
    }
    const functionId = placeholder ? substitutions[placeholder]?.['Fn::GetAtt']?.[0] : undefined;
    if (!functionId) throw new TypeError(`${file}: Task resource ${String(state.Resource)} is not a function of the template`);
    const functionTimeout = Number(template.Resources[functionId]?.Properties?.Timeout ?? globalTimeout);
    return Math.min(state.TimeoutSeconds ?? Infinity, functionTimeout) + delays;
  };

  const stateSeconds = (state: State): number => {
    switch (state.Type) {
      case 'Task':
        return taskSeconds(state);
      case 'Wait':
        if (typeof state.Seconds === 'number') return state.Seconds;
        if (state.SecondsPath === '$.rotation.gracePeriodSeconds') return MAX_GRACE_PERIOD_SECONDS;
        throw new TypeError(`${file}: Wait ${JSON.stringify(state)} has no known longest duration`);
      case 'Map': {
        const processor = state.ItemProcessor ?? state.Iterator;
        const waves = Math.ceil(MAX_TARGETS / (state.MaxConcurrency || MAX_TARGETS));
        return waves * longest(processor.States, processor.StartAt);
      }
      case 'Parallel':
        return Math.max(...state.Branches.map((b: { States: Record<string, State>; StartAt: string }) => longest(b.States, b.StartAt)));
      default:
        return 0;
    }
  };

  function longest(states: Record<string, State>, start: string, visits = new Map<string, number>()): number {
    const count = visits.get(start) ?? 0;
    if (count >= MAX_VISITS) return 0;
    visits.set(start, count + 1);
    const state = states[start]!;
    const next = successors(state).filter((n) => n in states);
    const rest = next.length ? Math.max(...next.map((n) => longest(states, n, visits))) : 0;
    visits.set(start, count);
    return stateSeconds(state) + rest;
  }

  const def = loadAsl(file);
  return longest(def.States, def.StartAt);
}

/** TimeoutSeconds for a budget: rounded up to the minute. */
export const timeoutFor = (budgetSeconds: number): number => Math.ceil(budgetSeconds / 60) * 60;

export { MAX_READY_TIMEOUT_SECONDS };
