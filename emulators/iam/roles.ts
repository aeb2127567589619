import type { DeployedStack } from './cloudformation';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

/** One policy of a role: inline in the role, or a standalone AWS::IAM::Policy attached to it. */
export interface RolePolicy {
  /** `<Role>/<PolicyName>` or the AWS::IAM::Policy's logical id. */
  source: string;
  document: PolicyDocument;
}

export interface FunctionRole {
  functionId: string;
  roleId: string;
  roleArn: string;
  policies: RolePolicy[];
  /** AWS managed policies attached by ARN (SAM adds AWSLambdaBasicExecutionRole and, with Tracing, AWSXrayWriteOnlyAccess). */
  managedPolicyArns: string[];
}

/**
 * Every function's execution role in a deployment of the transformed template: the role its `Role`
 * property names (SAM generates `<Function>Role`), that role's inline policies, and every
 * AWS::IAM::Policy of the deployment attached to it, with all intrinsics evaluated.
 */
export function functionRoles(stack: DeployedStack): Record<string, FunctionRole> {
  const out: Record<string, FunctionRole> = {};
  const resources = stack.template.Resources;
  for (const [functionId, fn] of Object.entries(resources)) {
    if (fn.Type !== 'AWS::Lambda::Function' || !stack.exists(functionId)) continue;
    const roleRef = fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = roleRef?.['Fn::GetAtt']?.[0];
    if (!roleId || resources[roleId]?.Type !== 'AWS::IAM::Role') throw new TypeError(`${functionId}: its Role is not a role of this stack (${JSON.stringify(roleRef)})`);
    const role = stack.resolve(resources[roleId]!.Properties) as { Policies?: Array<{ PolicyName: string; PolicyDocument: PolicyDocument }>; ManagedPolicyArns?: string[] };
    const roleName = String(stack.ref(roleId));
    const policies: RolePolicy[] = (role.Policies ?? []).map((p) => ({ source: `${roleId}/${p.PolicyName}`, document: normalized(p.PolicyDocument) }));
    for (const [policyId, policy] of Object.entries(resources)) {
      if (policy.Type !== 'AWS::IAM::Policy' || !stack.exists(policyId)) continue;
      const props = stack.resolve(policy.Properties) as { Roles?: string[]; PolicyDocument: PolicyDocument };
      if ((props.Roles ?? []).includes(roleName)) policies.push({ source: policyId, document: normalized(props.PolicyDocument) });
    }
    out[functionId] = { functionId, roleId, roleArn: stack.getAtt(roleId, 'Arn'), policies, managedPolicyArns: role.ManagedPolicyArns ?? [] };
  }
  return out;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Statements with Action and Resource as lists (a resolved Fn::If may leave a statement without either). */
function normalized(document: PolicyDocument): PolicyDocument {
  const statements = ([] as Statement[]).concat(document.Statement);
  return { Version: document.Version ?? '2012-10-17', Statement: statements.map((s) => ({ ...s, Action: list(s.Action), Resource: list(s.Resource) })) };
}
