import { readFileSync } from 'node:fs';
import { CONDITIONALLY_IMPLIED_ACTIONS, IMPLIED_ACTIONS } from '../../emulators/iam/requests';
import { functionsOf, type FunctionSpec, type Template } from '../../scripts/template';
import { bundleSources } from './bundle';
import { fromRoot } from './paths';

// Least privilege, derived from the code: which AWS SDK commands a function's bundle can send, and
// whether its policy in template.yaml grants exactly the matching IAM actions.

/** IAM service prefix of each SDK client package keygate may use. A new client must be added here. */
export const IAM_PREFIX: Record<string, string> = {
  'client-bedrock-agentcore-control': 'bedrock-agentcore',
  'client-ssm': 'ssm',
  'client-s3': 's3',
  'client-sns': 'sns',
  'client-sfn': 'states',
  'client-ec2': 'ec2',
  'client-cloudwatch': 'cloudwatch',
  'client-dynamodb': 'dynamodb',
};

/** Commands whose IAM action is not the command name (service authorization reference). */
const ACTION_EXCEPTIONS: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  // CopyObject is authorized as s3:PutObject on the destination plus s3:GetObject on the source.
  's3:CopyObject': 's3:PutObject',
};

/** Actions the service checks as the caller on top of the command's own (required; emulators/iam/requests.ts). */
const REQUIRED_WITH = IMPLIED_ACTIONS;

/**
 * Actions a command may need as the caller depending on the document (private endpoints, the
 * gateway's workload identity: agentcore-gateway-api.md §4.3, §13 pitfall 10). Allowed next to it,
 * not required; UNCONFIRMED which the service checks when.
 */
const PERMITTED_WITH: Record<string, string[]> = {
  ...CONDITIONALLY_IMPLIED_ACTIONS,
  'bedrock-agentcore:CreateGateway': ['ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:CreateNetworkInterface', 'iam:CreateServiceLinkedRole'],
  'bedrock-agentcore:CreateGatewayTarget': [...(CONDITIONALLY_IMPLIED_ACTIONS['bedrock-agentcore:CreateGatewayTarget'] ?? []), 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:CreateNetworkInterface', 'iam:CreateServiceLinkedRole'],
  // A SecureString under a customer-managed key needs kms:Decrypt with GetParameter (ssm-and-events.md §5).
  'ssm:GetParameter': ['kms:Decrypt'],
  // Without s3:ListBucket, GetObject of a missing key answers 403 instead of 404 (S3 API reference, GetObject).
  's3:GetObject': ['s3:ListBucket'],
};

/**
 * Commands a client sends by itself, not on the function's behalf: S3Client's S3 Express middleware
 * sends CreateSession (IAM `s3express:CreateSession`) for directory buckets only, and keygate's
 * buckets are general purpose. DynamoDBClient's endpoint-discovery middleware sends DescribeEndpoints
 * only when discovery is switched on (AWS_ENABLE_ENDPOINT_DISCOVERY), which it is not by default.
 */
const CLIENT_INTERNAL_COMMANDS = ['client-s3:CreateSession', 'client-dynamodb:DescribeEndpoints'];

/** AWS managed policies a function may list by name (SAM adds the same ones by itself). */
const SAFE_MANAGED_POLICIES = ['AWSLambdaBasicExecutionRole', 'AWSXrayWriteOnlyAccess'];

export interface SdkCommand {
  pkg: string;
  command: string;
  action: string;
}

/**
 * The SDK commands a function's bundle (as `sam build` makes it) contains after tree shaking: the
 * `commands/XCommand.js` files of `@aws-sdk/client-*` packages that contribute bytes to the output (paginators pull in the
 * command they send). Credential-provider clients (`nested-clients`) are not the function's calls.
 */
export function sdkCommandsOf(fn: FunctionSpec): SdkCommand[] {
  const commands: SdkCommand[] = [];
  for (const file of bundleSources(fn)) {
    const m = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\/dist-[a-z]+\/commands\/(\w+)Command\.js$/.exec(file);
    if (!m) continue;
    const [, pkg, command] = m as unknown as [string, string, string];
    if (CLIENT_INTERNAL_COMMANDS.includes(`${pkg}:${command}`)) continue;
    const prefix = IAM_PREFIX[pkg];
    const action = prefix ? (ACTION_EXCEPTIONS[`${prefix}:${command}`] ?? `${prefix}:${command}`) : `(unknown IAM prefix for @aws-sdk/${pkg})`;
    commands.push({ pkg, command, action });
  }
  return commands.sort((a, b) => a.action.localeCompare(b.action));
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

const policyTemplates = JSON.parse(readFileSync(fromRoot('tests', 'fixtures', 'sam', 'policy_templates.json'), 'utf8')).Templates as Record<string, { Definition: { Statement: Statement[] } }>;

/** The statements a SAM resource's `Policies` grant: inline statements, and SAM policy templates expanded. */
export function statementsOf(policies: unknown): { inline: Statement[]; fromTemplates: Statement[]; managed: string[]; problems: string[] } {
  const list = policies === undefined ? [] : Array.isArray(policies) ? policies : [policies];
  const out = { inline: [] as Statement[], fromTemplates: [] as Statement[], managed: [] as string[], problems: [] as string[] };
  for (const p of list) {
    if (typeof p === 'string') out.managed.push(p);
    else if (p && typeof p === 'object' && 'Statement' in p) out.inline.push(...([] as Statement[]).concat((p as { Statement: Statement | Statement[] }).Statement));
    else if (p && typeof p === 'object') {
      for (const name of Object.keys(p)) {
        const template = policyTemplates[name];
        if (!template) out.problems.push(`unknown SAM policy template ${name}`);
        else out.fromTemplates.push(...template.Definition.Statement);
      }
    }
  }
  return out;
}

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action ?? []);
const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
const grants = (statements: Statement[], action: string) => statements.some((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => glob(a).test(action)));

/**
 * Statements of standalone AWS::IAM::Policy resources attached to the role SAM generates for a
 * function (`<Id>Role`), e.g. a grant that exists only under a Condition. Both branches of an
 * `Fn::If` count; `AWS::NoValue` drops out.
 */
export function attachedStatements(template: Template, functionId: string): Statement[] {
  const out: Statement[] = [];
  const flatten = (s: unknown): Statement[] => {
    const cond = (s as { 'Fn::If'?: unknown[] } | null)?.['Fn::If'];
    if (Array.isArray(cond)) return cond.slice(1).flatMap(flatten);
    if ((s as { Ref?: string } | null)?.Ref === 'AWS::NoValue') return [];
    return [s as Statement];
  };
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const roles = (r.Properties?.Roles as Array<{ Ref?: string }> | undefined) ?? [];
    if (!roles.some((role) => role.Ref === `${functionId}Role`)) continue;
    out.push(...([] as unknown[]).concat((r.Properties?.PolicyDocument as { Statement: unknown }).Statement).flatMap(flatten));
  }
  return out;
}

/** Every problem with one function's policy (its Policies plus attached policies) against the commands its code sends. */
export function leastPrivilegeProblems(id: string, resource: { Properties?: Record<string, unknown> }, commands: SdkCommand[], attached: Statement[] = []): string[] {
  const { inline: own, fromTemplates, managed, problems } = statementsOf(resource.Properties?.Policies);
  const inline = [...own, ...attached];
  const all = [...inline, ...fromTemplates];
  const out = problems.map((p) => `${id}: ${p}`);
  const required = new Set<string>();
  const permitted = new Set<string>();
  for (const { action } of commands) {
    required.add(action);
    for (const extra of REQUIRED_WITH[action] ?? []) required.add(extra);
    for (const extra of PERMITTED_WITH[action] ?? []) permitted.add(extra);
  }
  for (const action of required) if (!grants(all, action)) out.push(`${id}: sends a command needing ${action}, which its policy does not grant`);
  for (const s of inline) {
    for (const action of actionsOf(s)) {
      if (action.includes('*')) continue; // reported by wildcardProblems
      if (!required.has(action) && !permitted.has(action)) out.push(`${id}: grants ${action}, which its code never needs`);
    }
  }
  for (const name of managed) if (!SAFE_MANAGED_POLICIES.includes(name)) out.push(`${id}: attaches managed policy ${name}`);
  return out;
}

/** `*`, `service:*` and any wildcard in a bedrock-agentcore action, anywhere in the template's policies. */
export function wildcardProblems(template: Template): string[] {
  const out: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const docs: Statement[] = [];
    if (r.Type === 'AWS::Serverless::Function' || r.Type === 'AWS::Serverless::StateMachine') {
      const { inline, fromTemplates } = statementsOf(r.Properties?.Policies);
      docs.push(...inline, ...fromTemplates);
    }
    if (r.Type === 'AWS::IAM::Role') {
      for (const p of (r.Properties?.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>) ?? []) docs.push(...p.PolicyDocument.Statement);
    }
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(...((r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement ?? []));
    for (const s of docs) {
      for (const a of actionsOf(s)) {
        if (a === '*' || /^[a-z0-9-]+:\*$/i.test(a) || (a.toLowerCase().startsWith('bedrock-agentcore:') && a.includes('*'))) out.push(`${id}: grants the wildcard action ${a}`);
      }
    }
  }
  return out;
}

/** The statements that grant iam:PassRole, per resource. */
export function passRoleStatements(template: Template): Array<[string, Statement]> {
  const out: Array<[string, Statement]> = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Serverless::Function' && r.Type !== 'AWS::Serverless::StateMachine') continue;
    for (const s of statementsOf(r.Properties?.Policies).inline) if (actionsOf(s).some((a) => glob(a).test('iam:PassRole'))) out.push([id, s]);
  }
  return out;
}

export { functionsOf };
