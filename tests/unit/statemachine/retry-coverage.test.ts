import * as errors from '../../../functions/core/errors';
import { functionsOf, loadTemplate } from '../../../scripts/template';
import { aslFiles, scopesOf, type State } from '../../support/asl';
import { bundleFacts, type BundleFacts } from '../../support/bundle';
import { ROOT } from '../../support/paths';

// Retry rules that name errors which really arrive, derived from the code: for each Task, the
// function's bundle says which AWS clients it calls (their transient names must be retried, other
// services' names never arrive) and which of keygate's retryable classes ("NotReady" and "Pending",
// errors/gateway.ts) it can throw. A Retry on a name that cannot arrive is a retry that never fires.

const template = loadTemplate(ROOT);
const functions = new Map(functionsOf(template).map((f) => [f.logicalId, f]));
const NESTED = 'arn:aws:states:::states:startExecution.sync:2';
const KEYGATE_ERRORS = new Set(Object.entries(errors).filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error).map(([k]) => k));
const retryable = (name: string) => /NotReady|Pending/.test(name);
// Every Task keeps retrying throttling (asl-invariants.test.ts); Lambda's own errors always apply.
const ALWAYS = new Set<string>([...errors.LAMBDA_TRANSIENT_ERROR_NAMES, 'ThrottlingException']);

/**
 * Names a function's code can reach but that never leave it as such, with the reason. Anything
 * listed here is neither required nor allowed on that function's Tasks.
 */
const NOT_RAISED: Record<string, Record<string, string>> = {};

/** Per state: names its function's bundle holds but this state's input never triggers. */
const NOT_RAISED_BY_STATE: Record<string, Record<string, string>> = {
  // Teardown leaves deleteAllTargets unset: the targets are deleted by the Map before, never here.
  'teardown.asl.json > Delete Gateway': { GatewayTargetNotReadyError: 'replacement only', GatewayDeletionPendingError: 'replacement only' },
};

const factsCache = new Map<string, BundleFacts>();
function factsOf(logicalId: string): BundleFacts {
  let facts = factsCache.get(logicalId);
  if (!facts) {
    const fn = functions.get(logicalId);
    if (!fn) throw new Error(`no function ${logicalId} in template.yaml`);
    facts = bundleFacts(fn);
    factsCache.set(logicalId, facts);
  }
  return facts;
}

/** Task → the names that must be retried and the names that can arrive at all. */
function expectations(file: string, where: string, name: string, state: State): { required: Set<string>; possible: Set<string> } {
  if (state.Resource === NESTED) {
    const required = new Set<string>(errors.NESTED_EXECUTION_RETRY_ERROR_NAMES);
    return { required, possible: new Set([...required, ...ALWAYS]) };
  }
  const placeholder = /^\$\{(\w+)Arn\}$/.exec(String(state.Resource))?.[1];
  if (!placeholder) throw new Error(`${where} > ${name}: unexpected Resource ${state.Resource}`);
  const facts = factsOf(placeholder);
  const skip = { ...NOT_RAISED[placeholder], ...NOT_RAISED_BY_STATE[`${file} > ${name}`] };
  const aws = facts.services.flatMap((s) => (errors.AWS_TRANSIENT_ERROR_NAMES as Record<string, readonly string[]>)[s] ?? [`(no transient names listed for ${s})`]);
  const own = facts.errorNames.filter((e) => KEYGATE_ERRORS.has(e));
  const required = new Set([...aws, ...own.filter(retryable)].filter((e) => !(e in skip)));
  return { required, possible: new Set([...ALWAYS, ...required, ...own.filter((e) => !(e in skip))]) };
}

const tasksOf = (file: string) =>
  scopesOf(file).flatMap((s) => Object.entries(s.states).filter(([, st]) => st.Type === 'Task').map(([n, st]) => ({ where: s.where, name: n, state: st })));

describe.each(aslFiles())('%s', (file) => {
  it('every Task retries the transient errors of the AWS services its function calls, and its retryable keygate errors', () => {
    const missing: string[] = [];
    for (const { where, name, state } of tasksOf(file)) {
      const retried = new Set((state.Retry ?? []).flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals));
      for (const e of expectations(file, where, name, state).required) if (!retried.has(e)) missing.push(`${where} > ${name}: ${e}`);
    }
    expect(missing).toEqual([]);
  });

  it('no Retry names an error that cannot reach that Task', () => {
    const never: string[] = [];
    for (const { where, name, state } of tasksOf(file)) {
      const { possible } = expectations(file, where, name, state);
      for (const r of state.Retry ?? []) for (const e of r.ErrorEquals as string[]) if (!e.startsWith('States.') && !possible.has(e)) never.push(`${where} > ${name}: ${e}`);
    }
    expect(never).toEqual([]);
  });
});

describe('the derivation', () => {
  it('reads the clients and the retryable errors a bundle contains', () => {
    expect(factsOf('LoadDesiredStateFunction').services).toEqual(['ssm']);
    expect(factsOf('AwaitDeletionFunction')).toMatchObject({ services: ['bedrock-agentcore'], errorNames: expect.arrayContaining(['GatewayDeletionPendingError']) });
    // The CIMD publishers, one per destination: the host's calls SSM only (its programs' output stays under
    // SSM's inline limit: no S3 reader), the S3 one S3 only.
    expect(factsOf('PublishCimdDocumentFunction').services).toEqual(['ssm']);
    expect(factsOf('PublishCimdToS3Function').services).toEqual(['s3']);
    expect(factsOf('GetRealmCommandResultFunction').services).toEqual(['s3', 'ssm']);
    expect(factsOf('SummarizeProvisioningFunction').services).toEqual([]);
  });

  it('lists transient names for every service a function calls', () => {
    const services = new Set([...functions.keys()].flatMap((id) => factsOf(id).services));
    expect([...services].filter((s) => !(s in errors.AWS_TRANSIENT_ERROR_NAMES))).toEqual([]);
  });
});
