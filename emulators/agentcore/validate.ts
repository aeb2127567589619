import { ApiError, validation } from './errors';

// Request checks the service performs before it accepts a request, to the extent the model and the
// API reference document them (agentcore-gateway-api.md §4). Enough to catch a wrong wire shape from
// keygate; not a full model validator.

export type Json = Record<string, unknown>;

const GATEWAY_NAME = /^([0-9a-zA-Z][-]?){1,48}$/;
const TARGET_NAME = /^([0-9a-zA-Z][-]?){1,100}$/;
const CLIENT_TOKEN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$/;
export const GATEWAY_ID = /^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$/;
export const TARGET_ID = /^[0-9a-zA-Z]{10}$/;
const AUTHORIZER_TYPES = ['CUSTOM_JWT', 'AWS_IAM', 'AUTHENTICATE_ONLY', 'NONE'];

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A union has exactly one member key on the wire (§4). */
export function unionMember(value: unknown, field: string, members: readonly string[]): [string, unknown] {
  if (!isObject(value)) throw validation(`${field} must be an object with exactly one of ${members.join(', ')}`, field);
  const keys = Object.keys(value);
  if (keys.length !== 1) throw validation(`${field} must set exactly one member, got ${keys.length ? keys.join(', ') : 'none'}`, field);
  const key = keys[0]!;
  // managedLatticeResource was renamed managedVpcResource in 3.1040.0 (§6); the service rejects the old name.
  if (!members.includes(key)) throw validation(`${field}.${key} is not a valid member (expected one of ${members.join(', ')})`, `${field}.${key}`);
  return [key, value[key]];
}

function requireString(body: Json, field: string, pattern?: RegExp): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw validation(`${field} is required`, field);
  if (pattern && !pattern.test(v)) throw validation(`${field} "${v}" does not match ${pattern.source}`, field);
  return v;
}

function checkStringList(value: unknown, field: string, element?: RegExp): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string' || s === '')) throw validation(`${field} must be a list of non-empty strings`, field);
  // The API reference gives these lists "Minimum number of 1 item": an empty list is refused, not read as absent.
  if (value.length === 0) throw validation(`${field} must have at least 1 item`, field);
  const bad = element ? value.find((s) => !element.test(s as string)) : undefined;
  if (bad !== undefined) throw validation(`${field} member "${bad}" does not match ${element!.source}`, field);
}

/** §4.2: every custom claim names the claim, its value type and a match (value and operator). */
function checkCustomClaims(value: unknown, field: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0) throw validation(`${field} must be a list with at least 1 item`, field);
  value.forEach((raw, i) => {
    const claim = isObject(raw) ? raw : {};
    const at = `${field}[${i}]`;
    requireString(claim, 'inboundTokenClaimName');
    if (!['STRING', 'STRING_ARRAY'].includes(String(claim.inboundTokenClaimValueType))) throw validation(`${at}.inboundTokenClaimValueType must be STRING or STRING_ARRAY`, `${at}.inboundTokenClaimValueType`);
    const match = isObject(claim.authorizingClaimMatchValue) ? claim.authorizingClaimMatchValue : undefined;
    if (!match) throw validation(`${at}.authorizingClaimMatchValue is required`, `${at}.authorizingClaimMatchValue`);
    unionMember(match.claimMatchValue, `${at}.authorizingClaimMatchValue.claimMatchValue`, ['matchValueString', 'matchValueStringList']);
    if (!['EQUALS', 'CONTAINS', 'CONTAINS_ANY'].includes(String(match.claimMatchOperator))) throw validation(`${at}.authorizingClaimMatchValue.claimMatchOperator must be EQUALS, CONTAINS or CONTAINS_ANY`, `${at}.authorizingClaimMatchValue.claimMatchOperator`);
  });
}

/** §4.1: tag keys that start with aws: are reserved for AWS (a general AWS tagging rule). */
function checkTags(value: unknown): void {
  if (value === undefined) return;
  if (!isObject(value)) throw validation('tags must be a map of strings', 'tags');
  const reserved = Object.keys(value).find((k) => /^aws:/i.test(k));
  if (reserved) throw validation(`tag key "${reserved}" uses the reserved prefix aws:`, 'tags');
}

function checkPrivateEndpoint(value: unknown, field: string): void {
  if (value === undefined) return;
  const [member, inner] = unionMember(value, field, ['selfManagedLatticeResource', 'managedVpcResource']);
  if (member === 'managedVpcResource') {
    const m = inner as Json;
    requireString(m, 'vpcIdentifier');
    if (!Array.isArray(m.subnetIds) || m.subnetIds.length === 0) throw validation(`${field}.managedVpcResource.subnetIds is required`, `${field}.managedVpcResource.subnetIds`);
    if (!['IPV4', 'IPV6'].includes(String(m.endpointIpAddressType))) throw validation(`${field}.managedVpcResource.endpointIpAddressType must be IPV4 or IPV6`, `${field}.managedVpcResource.endpointIpAddressType`);
  }
}

export function checkClientToken(body: Json): string | undefined {
  if (body.clientToken === undefined) return undefined;
  const token = requireString(body, 'clientToken');
  if (token.length < 33 || token.length > 256 || !CLIENT_TOKEN.test(token)) throw validation('clientToken must be 33-256 characters of [a-zA-Z0-9-]', 'clientToken');
  return token;
}

/** CreateGateway / UpdateGateway body (Update is a full replacement with the same required members). */
export function checkGatewayBody(body: Json): void {
  requireString(body, 'name', GATEWAY_NAME);
  requireString(body, 'roleArn', /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/.+$/);
  const type = requireString(body, 'authorizerType');
  if (!AUTHORIZER_TYPES.includes(type)) throw validation(`authorizerType must be one of ${AUTHORIZER_TYPES.join(', ')}`, 'authorizerType');
  if (body.protocolType !== undefined && body.protocolType !== 'MCP') throw validation('protocolType must be MCP', 'protocolType');
  if (body.protocolConfiguration !== undefined) {
    const [, mcp] = unionMember(body.protocolConfiguration, 'protocolConfiguration', ['mcp']);
    const searchType = (mcp as Json).searchType;
    if (searchType !== undefined && searchType !== 'SEMANTIC') throw validation('protocolConfiguration.mcp.searchType must be SEMANTIC', 'protocolConfiguration.mcp.searchType');
  }
  checkTags(body.tags);
  if (type === 'CUSTOM_JWT') {
    if (body.authorizerConfiguration === undefined) throw validation('authorizerConfiguration is required for CUSTOM_JWT', 'authorizerConfiguration');
    const [, jwt] = unionMember(body.authorizerConfiguration, 'authorizerConfiguration', ['customJWTAuthorizer']);
    const a = jwt as Json;
    const url = requireString(a, 'discoveryUrl');
    if (!/.+\/\.well-known\/openid-configuration$/.test(url)) throw validation('discoveryUrl must end with /.well-known/openid-configuration', 'authorizerConfiguration.customJWTAuthorizer.discoveryUrl');
    for (const list of ['allowedAudience', 'allowedClients']) checkStringList(a[list], `authorizerConfiguration.customJWTAuthorizer.${list}`);
    checkStringList(a.allowedScopes, 'authorizerConfiguration.customJWTAuthorizer.allowedScopes', /^[\x21\x23-\x5B\x5D-\x7E]+$/);
    checkCustomClaims(a.customClaims, 'authorizerConfiguration.customJWTAuthorizer.customClaims');
    checkPrivateEndpoint(a.privateEndpoint, 'authorizerConfiguration.customJWTAuthorizer.privateEndpoint');
  } else if (body.authorizerConfiguration !== undefined) {
    throw validation(`authorizerConfiguration is not allowed with authorizerType ${type}`, 'authorizerConfiguration');
  }
}

/** CreateGatewayTarget / UpdateGatewayTarget body. */
export function checkTargetBody(body: Json, { create }: { create: boolean }): void {
  if (body.name !== undefined || !create) requireString(body, 'name', TARGET_NAME);
  const [kind, config] = unionMember(body.targetConfiguration, 'targetConfiguration', ['mcp', 'http', 'inference']);
  if (kind === 'mcp') {
    const [member, server] = unionMember(config, 'targetConfiguration.mcp', ['mcpServer', 'lambda', 'openApiSchema', 'smithyModel', 'apiGateway', 'connector']);
    if (member === 'mcpServer') {
      const s = server as Json;
      const endpoint = requireString(s, 'endpoint');
      if (!/^https:\/\/.+/.test(endpoint)) throw validation('targetConfiguration.mcp.mcpServer.endpoint must be an https URL', 'targetConfiguration.mcp.mcpServer.endpoint');
      if (s.listingMode !== undefined && !['DEFAULT', 'DYNAMIC'].includes(String(s.listingMode))) throw validation('listingMode must be DEFAULT or DYNAMIC', 'targetConfiguration.mcp.mcpServer.listingMode');
    }
  }
  checkPrivateEndpoint(body.privateEndpoint, 'privateEndpoint');
  if (body.credentialProviderConfigurations !== undefined) {
    const list = body.credentialProviderConfigurations;
    if (!Array.isArray(list)) throw validation('credentialProviderConfigurations must be a list', 'credentialProviderConfigurations');
    list.forEach((c, i) => {
      const type = isObject(c) ? c.credentialProviderType : undefined;
      if (!['GATEWAY_IAM_ROLE', 'OAUTH', 'API_KEY', 'CALLER_IAM_CREDENTIALS', 'JWT_PASSTHROUGH'].includes(String(type))) {
        throw validation(`credentialProviderConfigurations[${i}].credentialProviderType is required (GATEWAY_IAM_ROLE, OAUTH, API_KEY, CALLER_IAM_CREDENTIALS or JWT_PASSTHROUGH)`, `credentialProviderConfigurations[${i}].credentialProviderType`);
      }
    });
  }
}

/** Resource policy text: JSON, the required elements, the exact gateway ARN, 20 KB / 100 statements (§10). */
export function checkPolicy(policy: unknown, gatewayArn: string): string {
  if (typeof policy !== 'string' || policy.length < 1) throw validation('policy is required', 'policy');
  if (policy.length > 20480) throw validation('policy exceeds 20480 characters', 'policy');
  let doc: Json;
  try {
    doc = JSON.parse(policy) as Json;
  } catch {
    throw validation('policy is not valid JSON', 'policy', 'CannotParse');
  }
  if (!isObject(doc) || typeof doc.Version !== 'string') throw validation('policy must have a Version', 'policy');
  const statements = Array.isArray(doc.Statement) ? doc.Statement : isObject(doc.Statement) ? [doc.Statement] : undefined;
  if (!statements || statements.length === 0) throw validation('policy must have a Statement', 'policy');
  if (statements.length > 100) throw validation('policy has more than 100 statements', 'policy');
  for (const s of statements as Json[]) {
    for (const k of ['Effect', 'Principal', 'Action']) if (s[k] === undefined) throw validation(`policy statement is missing ${k}`, 'policy');
    const actions = ([] as unknown[]).concat(s.Action);
    if (actions.some((a) => a !== 'bedrock-agentcore:InvokeGateway')) throw validation('policy action must be bedrock-agentcore:InvokeGateway', 'policy');
    const resources = ([] as unknown[]).concat(s.Resource);
    if (resources.some((r) => r !== gatewayArn)) throw validation(`policy Resource must be the gateway ARN ${gatewayArn}`, 'policy');
  }
  return policy;
}

export function parseMaxResults(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw validation('maxResults must be between 1 and 1000', 'maxResults');
  return n;
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
