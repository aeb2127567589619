import { runSimulation } from '@cloud-copilot/iam-simulate';
import { rehearse, type RehearsalResult } from '../../cli/rehearse/scenario';
import { DeployedStack, type Deployment } from '../../emulators/iam/cloudformation';
import { authorizationRequests, type AuthorizationRequest } from '../../emulators/iam/requests';
import { functionRoles, type FunctionRole, type PolicyDocument, type Statement } from '../../emulators/iam/roles';
import type { LocalWorld } from '../../emulators/world';
import { parseDesiredStateText } from '../../functions/core/desired/load';
import { samTransform } from '../../scripts/toolchain/sam-transform';
import { readFileSync } from 'node:fs';
import { fromRoot } from './paths';

export interface Rehearsed {
  result: RehearsalResult;
  requests: AuthorizationRequest[];
  deployment: Deployment;
  roles: Record<string, FunctionRole>;
}

/**
 * A full `keygate rehearse` of examples/seed.yaml in this process (provision, rotation, drift in report
 * and repair mode, teardown), every AWS call its functions made as the authorizations AWS would check
 * (emulators/iam/requests.ts), and the functions' execution roles of the same deployment: the template
 * through the real SAM translator with the parameters `keygate parameters` gives for the document, and
 * the world's stack name, region, account and drift topic.
 */
export async function rehearseAndRecord(speed = 200): Promise<Rehearsed> {
  const config = fromRoot('examples', 'seed.yaml');
  const text = readFileSync(config, 'utf8');
  const document = parseDesiredStateText(text, config).value as Record<string, any>;
  const desired = (await import('../../functions/core/desired/load')).checkDesiredState(document, config).desired;
  let world: LocalWorld | undefined;
  const view = { started: (w: LocalWorld) => void (world = w), phaseStarted: () => undefined, phaseSkipped: () => undefined, stepChanged: () => undefined, phaseEnded: () => undefined };
  const result = await rehearse({ document, desired, config, speed, view });
  if (!world) throw new Error('the rehearsal did not start its world');
  const deployment = world.deployment;
  if (!deployment) throw new Error('the rehearsal\'s world has no deployment (an invalid document?)');
  const template = samTransform({ 'AWS::StackName': deployment.stackName, 'AWS::Region': deployment.region, 'AWS::AccountId': deployment.accountId, ...deployment.parameters });
  return { result, requests: authorizationRequests(world), deployment, roles: functionRoles(new DeployedStack(template, deployment)) };
}

/** One request as the simulator sees it, signed by the function's role session. */
export async function decide(role: FunctionRole, request: Pick<AuthorizationRequest, 'action' | 'resource' | 'context'>, policies: PolicyDocument[] = role.policies.map((p) => p.document)): Promise<{ allowed: boolean; why: string }> {
  const [, account = '', , name = ''] = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(role.roleArn) ?? [];
  const simulation = await runSimulation(
    {
      request: { principal: `arn:aws:sts::${account}:assumed-role/${name}/${role.functionId}`, action: request.action, resource: { resource: request.resource, accountId: account }, contextVariables: request.context },
      identityPolicies: policies.map((policy, i) => ({ name: `policy${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (simulation.resultType === 'error') return { allowed: false, why: `the simulator refused the request: ${simulation.errors.message} ${JSON.stringify(simulation.errors)}` };
  const overall = simulation.resultType === 'single' ? simulation.overallResult : simulation.overallResult;
  return { allowed: overall === 'Allowed', why: String(overall) };
}

/** A request's one-line name: the function, the call, the action and the resource (and the condition keys). */
export const describe = (r: AuthorizationRequest): string =>
  `${r.function}: ${r.call} needs ${r.action} on ${r.resource}${Object.keys(r.context).length ? ` with ${JSON.stringify(r.context)}` : ''}`;

/** The distinct requests of each function (the same authorization recorded many times counts once). */
export function requestsByFunction(requests: AuthorizationRequest[]): Map<string, AuthorizationRequest[]> {
  const out = new Map<string, Map<string, AuthorizationRequest>>();
  for (const r of requests) {
    if (!r.function) continue;
    const key = JSON.stringify([r.action, r.resource, r.context]);
    if (!out.has(r.function)) out.set(r.function, new Map());
    if (!out.get(r.function)!.has(key)) out.get(r.function)!.set(key, r);
  }
  return new Map([...out].map(([fn, m]) => [fn, [...m.values()]]));
}

export interface Narrowing {
  /** Which statement and how: `ManageGateway (EnsureGatewayFunctionRole/…Policy0) without bedrock-agentcore:GetGateway`. */
  what: string;
  /** The role's policies with that one statement narrowed. */
  policies: PolicyDocument[];
  /** The action it took away (for a dropped action). */
  action?: string;
}

/**
 * Every one-step narrowing of every Allow statement of a role: each action dropped, each resource
 * dropped (or, the only one, replaced by an ARN nothing matches), each condition value replaced.
 */
export function narrowings(role: FunctionRole): Narrowing[] {
  const out: Narrowing[] = [];
  role.policies.forEach((policy, p) =>
    policy.document.Statement.forEach((statement, s) => {
      if (statement.Effect !== 'Allow') return;
      const name = `${statement.Sid ?? `statement ${s}`} (${policy.source})`;
      // The role's policies with this one statement replaced (or, `undefined`, removed; an emptied policy goes too).
      const replaced = (next: Statement | undefined) =>
        role.policies
          .map((q, i) => (i !== p ? q.document : { ...q.document, Statement: q.document.Statement.flatMap((t, j) => (j !== s ? [t] : next ? [next] : [])) }))
          .filter((d) => d.Statement.length > 0);
      const actions = statement.Action as string[];
      const resources = statement.Resource as string[];
      for (const action of actions) {
        const rest = actions.filter((a) => a !== action);
        out.push({ what: `${name} without ${action}`, action, policies: replaced(rest.length ? { ...statement, Action: rest } : undefined) });
      }
      for (const resource of resources) {
        const rest = resources.filter((r) => r !== resource);
        out.push({ what: `${name} without the resource ${resource}`, policies: replaced({ ...statement, Resource: rest.length ? rest : [`${resource === '*' ? 'arn:aws:iam::000000000000:role/' : resource}-narrowed-to-nothing`] }) });
      }
      for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
        for (const key of Object.keys(keys)) {
          out.push({ what: `${name} with ${operator} ${key} set to a value no request has`, policies: replaced({ ...statement, Condition: { ...statement.Condition, [operator]: { ...keys, [key]: 'narrowed-to-nothing' } } }) });
        }
      }
    }),
  );
  return out;
}
