import { runSimulation } from '@cloud-copilot/iam-simulate';
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { DeployedStack, type Deployment } from '../../../emulators/iam/cloudformation';
import { functionRoles } from '../../../emulators/iam/roles';
import { samTransform, type CfnTemplate } from '../../../scripts/toolchain/sam-transform';
import { fromRoot } from '../../support/paths';

// template.yaml through the real SAM translator (scripts/toolchain/sam-transform.py) for the
// deployments samconfig.toml describes.

const MINUTES = 60_000;
const ACCOUNT = '111122223333';

/** A samconfig.toml environment's stack, region and parameter_overrides ("Key=value", values maybe quoted). */
function deploymentOf(env: string): Deployment {
  const config = parseToml(readFileSync(fromRoot('samconfig.toml'), 'utf8')) as Record<string, any>;
  const global = { ...config.default.global.parameters, ...config[env]?.global?.parameters };
  const overrides = (config[env].deploy.parameters.parameter_overrides as string[]).map((item) => {
    const i = item.indexOf('=');
    return [item.slice(0, i), item.slice(i + 1).replace(/^"(.*)"$/, '$1')] as const;
  });
  return { stackName: global.stack_name, region: global.region, accountId: ACCOUNT, parameters: Object.fromEntries(overrides) };
}

const transform = (d: Deployment): CfnTemplate => samTransform({ 'AWS::StackName': d.stackName, 'AWS::Region': d.region, 'AWS::AccountId': d.accountId, ...d.parameters });

/**
 * Names that are unique per account and region (or per account, or globally) by resource type, as
 * CloudFormation's resource reference gives them. A type absent from both lists fails the test, so a
 * new kind of resource is classified when it is added.
 */
const NAME_PROPERTIES: Record<string, string[]> = {
  'AWS::Scheduler::Schedule': ['Name'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::SSM::Parameter': ['Name'],
  'AWS::SSM::Document': ['Name'],
  'AWS::IAM::Role': ['RoleName'],
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::StepFunctions::StateMachine': ['StateMachineName'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::DynamoDB::Table': ['TableName'],
  'AWS::Events::Rule': ['Name'],
  'AWS::CloudWatch::Alarm': ['AlarmName'],
};
/** Types whose names are not account-wide: an IAM inline policy's name is its role's. */
const NOT_ACCOUNT_WIDE = ['AWS::IAM::Policy', 'AWS::Lambda::Permission'];

function accountWideNames(cfn: CfnTemplate, deployment: Deployment): Map<string, string> {
  const stack = new DeployedStack(cfn, deployment);
  const names = new Map<string, string>();
  for (const [id, resource] of Object.entries(cfn.Resources)) {
    if (!stack.exists(id)) continue;
    if (NOT_ACCOUNT_WIDE.includes(resource.Type)) continue;
    const properties = NAME_PROPERTIES[resource.Type];
    if (!properties) throw new Error(`${id}: resource type ${resource.Type} is not classified in NAME_PROPERTIES or NOT_ACCOUNT_WIDE`);
    for (const property of properties) {
      const value = resource.Properties?.[property];
      if (value !== undefined) names.set(`${resource.Type} ${String(stack.resolve(value))}`, id);
    }
  }
  return names;
}

describe('two stacks in one account and region (samconfig.toml [default] and [prod])', () => {
  const deployments = { default: deploymentOf('default'), prod: deploymentOf('prod') };
  let names: { default: Map<string, string>; prod: Map<string, string> };

  beforeAll(() => {
    names = { default: accountWideNames(transform(deployments.default), deployments.default), prod: accountWideNames(transform(deployments.prod), deployments.prod) };
  }, 5 * MINUTES);

  it('are two stacks in the same account and region', () => {
    expect(deployments.default.region).toBe(deployments.prod.region);
    expect(deployments.default.stackName).not.toBe(deployments.prod.stackName);
  });

  it('share no physical name: every explicit name is scoped to its stack', () => {
    const both = [...names.default.keys()].filter((n) => names.prod.has(n)).map((n) => `${n} (${names.default.get(n)})`);
    expect(both).toEqual([]);
    // The names are there to compare (log groups, the desired-state parameter): the check is not empty.
    expect(names.default.size).toBeGreaterThan(20);
  });
});

describe('the gateway service role', () => {
  const deployment = deploymentOf('default');
  let trust: unknown;
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${deployment.stackName}-GatewayRole`;

  beforeAll(() => {
    const cfn = transform(deployment);
    trust = new DeployedStack(cfn, deployment).resolve(cfn.Resources.GatewayRole!.Properties!.AssumeRolePolicyDocument);
  }, 5 * MINUTES);

  /** AgentCore assuming the role on behalf of a gateway (the trust policy is the role's resource policy). */
  const assume = async (sourceArn: string | undefined, sourceAccount = ACCOUNT) => {
    const result = await runSimulation(
      {
        request: {
          principal: 'bedrock-agentcore.amazonaws.com',
          action: 'sts:AssumeRole',
          resource: { resource: roleArn, accountId: ACCOUNT },
          contextVariables: { 'aws:SourceAccount': sourceAccount, ...(sourceArn ? { 'aws:SourceArn': sourceArn } : {}) },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trust,
      },
      {},
    );
    return result.resultType === 'error' ? `error: ${result.errors.message}` : result.overallResult;
  };

  it('may be assumed by AgentCore for this account\'s gateways in this region only (confused deputy)', async () => {
    const gateway = (region: string, account: string) => `arn:aws:bedrock-agentcore:${region}:${account}:gateway/mcp-gateway-keycloak-demo-abcdefghij`;
    expect(await assume(gateway(deployment.region, ACCOUNT))).toBe('Allowed');
    expect(await assume(gateway(deployment.region, '444455556666'), '444455556666')).not.toBe('Allowed');
    expect(await assume(gateway('us-east-1', ACCOUNT))).not.toBe('Allowed');
    expect(await assume(`arn:aws:bedrock-agentcore:${deployment.region}:${ACCOUNT}:runtime/someone-elses-agent`)).not.toBe('Allowed');
    expect(await assume(undefined)).not.toBe('Allowed');
  });
});

describe('semantic search (gateway.protocol.searchType SEMANTIC)', () => {
  const grants = (searchType: string) => {
    const deployment = { ...deploymentOf('default'), parameters: { ...deploymentOf('default').parameters, GatewaySearchType: searchType } };
    const role = functionRoles(new DeployedStack(transform(deployment), deployment)).EnsureGatewayTargetFunction!;
    return role.policies.flatMap((p) => p.document.Statement.flatMap((s) => s.Action as string[]));
  };

  it('lets the target function synchronize target tools only in a stack deployed for it', () => {
    expect(grants('SEMANTIC')).toContain('bedrock-agentcore:SynchronizeGatewayTargets');
    expect(grants('')).not.toContain('bedrock-agentcore:SynchronizeGatewayTargets');
  }, 5 * MINUTES);
});
