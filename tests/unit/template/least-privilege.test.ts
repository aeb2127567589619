import { loadTemplate, parseTemplate, type Template } from '../../../scripts/template';
import { attachedStatements, functionsOf, leastPrivilegeProblems, passRoleStatements, sdkCommandsOf, wildcardProblems } from '../../support/iam';
import { ROOT } from '../../support/paths';

const template: Template = loadTemplate(ROOT);
const functions = functionsOf(template);

describe('least privilege (every function in template.yaml, present and future)', () => {
  it.each(functions.map((f) => [f.logicalId, f] as const))('%s: its policy grants each action its code can send, and nothing more', (id, fn) => {
    const commands = sdkCommandsOf(fn);
    expect(leastPrivilegeProblems(id, template.Resources[id]!, commands, attachedStatements(template, id))).toEqual([]);
  });

  it('no policy grants "*", a service-wide wildcard, or any bedrock-agentcore wildcard', () => {
    expect(wildcardProblems(template)).toEqual([]);
  });

  it('functions may pass only the gateway service role, and only to AgentCore', () => {
    const gatewayRole = { 'Fn::If': ['CreateGatewayRole', { 'Fn::GetAtt': ['GatewayRole', 'Arn'] }, { Ref: 'GatewayRoleArn' }] };
    const statements = passRoleStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    for (const [, s] of statements) {
      expect(s.Resource).toEqual(gatewayRole);
      expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' } });
    }
  });

  it('each state machine may invoke the functions it names, and only those; and start only the state machines it names', () => {
    for (const [id, r] of Object.entries(template.Resources).filter(([, x]) => x.Type === 'AWS::Serverless::StateMachine')) {
      const substitutions = Object.values(r.Properties!.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt'?: [string, string]; Ref?: string }>);
      const policies = r.Properties!.Policies as Array<{ LambdaInvokePolicy?: { FunctionName: { Ref: string } }; StepFunctionsExecutionPolicy?: { StateMachineName: { 'Fn::GetAtt': [string, string] } } }>;
      const namedFunctions = substitutions.filter((v) => v['Fn::GetAtt']).map((v) => v['Fn::GetAtt']![0]).sort();
      const invokable = policies.map((p) => p.LambdaInvokePolicy?.FunctionName.Ref).filter(Boolean).sort();
      expect([id, invokable]).toEqual([id, namedFunctions]);
      const namedMachines = substitutions.filter((v) => v.Ref && template.Resources[v.Ref]?.Type === 'AWS::Serverless::StateMachine').map((v) => v.Ref).sort();
      const startable = policies.map((p) => p.StepFunctionsExecutionPolicy?.StateMachineName['Fn::GetAtt'][0]).filter(Boolean).sort();
      expect([id, startable]).toEqual([id, namedMachines]);
    }
  });

  it('derives the commands from the bundle after tree shaking (the await function only reads)', () => {
    const fn = functions.find((f) => f.logicalId === 'AwaitGatewayReadyFunction')!;
    expect(sdkCommandsOf(fn).map((c) => c.action)).toEqual(['bedrock-agentcore:GetGateway']);
    const ensure = functions.find((f) => f.logicalId === 'EnsureGatewayFunction')!;
    expect(sdkCommandsOf(ensure).map((c) => c.action)).toEqual([
      'bedrock-agentcore:CreateGateway',
      'bedrock-agentcore:GetGateway',
      'bedrock-agentcore:ListGateways',
      'bedrock-agentcore:ListTagsForResource',
      'bedrock-agentcore:UpdateGateway',
    ]);
  });

  it('reports a missing action, an unneeded one, an unsafe managed policy and a wildcard (the check can fail)', () => {
    const fn = functions.find((f) => f.logicalId === 'DeleteGatewayFunction')!;
    const broken = parseTemplate(`
Resources:
  DeleteGatewayFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - AdministratorAccess
        - Statement:
            - Effect: Allow
              Action: [bedrock-agentcore:GetGateway, bedrock-agentcore:ListGatewayTargets, bedrock-agentcore:DeleteGatewayTarget, bedrock-agentcore:CreateGateway]
              Resource: '*'
  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: bedrock-agentcore:*Gateway*
              Resource: '*'
`);
    expect(leastPrivilegeProblems('DeleteGatewayFunction', broken.Resources.DeleteGatewayFunction!, sdkCommandsOf(fn))).toEqual([
      'DeleteGatewayFunction: sends a command needing bedrock-agentcore:DeleteGateway, which its policy does not grant',
      'DeleteGatewayFunction: sends a command needing bedrock-agentcore:DeleteWorkloadIdentity, which its policy does not grant',
      'DeleteGatewayFunction: grants bedrock-agentcore:CreateGateway, which its code never needs',
      'DeleteGatewayFunction: attaches managed policy AdministratorAccess',
    ]);
    expect(wildcardProblems(broken)).toEqual(['OtherFunction: grants the wildcard action bedrock-agentcore:*Gateway*']);
  });
});
