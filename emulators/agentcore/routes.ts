import { ApiError } from './errors';
import type { AgentCoreService, Reply } from './service';
import { parseMaxResults, type Json } from './validate';

/** Operations that change state: a re-run that converged sends none of these. */
export const MUTATING_OPERATIONS = new Set([
  'CreateGateway',
  'UpdateGateway',
  'DeleteGateway',
  'CreateGatewayTarget',
  'UpdateGatewayTarget',
  'DeleteGatewayTarget',
  'SynchronizeGatewayTargets',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'TagResource',
  'UntagResource',
]);

export interface Route {
  op: string;
  /** The gateway the path addresses (from its id label or its ARN), for the call log. */
  gatewayId?: string;
  run: (service: AgentCoreService, body: Json, query: URLSearchParams) => Reply;
}

/**
 * restJson1 routing (agentcore-gateway-api.md §2): labels are percent-decoded one path segment at a
 * time, so an encoded ARN (`arn%3Aaws%3A…%2Fgw-id`) stays one label; a trailing slash is optional,
 * because SDKs before 3.974.0 send none. ARN labels also accept an unencoded ARN (the rest of the path).
 */
export function route(method: string, rawPath: string): Route {
  const trimmed = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  const segments = trimmed.split('/').slice(1).map(decodeSegment);
  const [root, id, sub, targetId, ...rest] = segments;
  const key = `${method} ${root ?? ''}${id === undefined ? '' : ' {id}'}${sub === undefined ? '' : ` ${sub}`}${targetId === undefined ? '' : ' {tid}'}`;
  const arn = segments.slice(1).join('/');
  const gatewayId = root === 'gateways' ? id : /:gateway\/([^/]+)$/.exec(arn)?.[1];
  const r = routeOf({ method, root, id, sub, targetId, rest, key, arn });
  return gatewayId ? { ...r, gatewayId } : r;
}

interface ParsedPath {
  method: string;
  root?: string | undefined;
  id?: string | undefined;
  sub?: string | undefined;
  targetId?: string | undefined;
  rest: string[];
  /** e.g. `GET gateways {id} targets {tid}` */
  key: string;
  /** Everything after the first segment, for ARN labels. */
  arn: string;
}

function routeOf({ method, root, id, targetId, rest, key, arn }: ParsedPath): Route {
  if (root === 'resourcepolicy' && id !== undefined) {
    if (method === 'PUT') return { op: 'PutResourcePolicy', run: (s, body) => s.putResourcePolicy(arn, body) };
    if (method === 'GET') return { op: 'GetResourcePolicy', run: (s) => s.getResourcePolicy(arn) };
    if (method === 'DELETE') return { op: 'DeleteResourcePolicy', run: (s) => s.deleteResourcePolicy(arn) };
  }
  if (root === 'tags' && id !== undefined) {
    if (method === 'GET') return { op: 'ListTagsForResource', run: (s) => s.listTags(arn) };
    if (method === 'POST') return { op: 'TagResource', run: (s, body) => s.tagResource(arn, body) };
    if (method === 'DELETE') return { op: 'UntagResource', run: (s, _b, q) => s.untagResource(arn, q.getAll('tagKeys')) };
  }
  if (rest.length === 0) {
    const g = id!;
    const t = targetId!;
    switch (key) {
      case 'POST gateways':
        return { op: 'CreateGateway', run: (s, body) => s.createGateway(body) };
      case 'GET gateways':
        return { op: 'ListGateways', run: (s, _b, q) => s.listGateways(parseMaxResults(q.get('maxResults')), q.get('nextToken')) };
      case 'GET gateways {id}':
        return { op: 'GetGateway', run: (s) => s.getGateway(g) };
      case 'PUT gateways {id}':
        return { op: 'UpdateGateway', run: (s, body) => s.updateGateway(g, body) };
      case 'DELETE gateways {id}':
        return { op: 'DeleteGateway', run: (s) => s.deleteGateway(g) };
      case 'POST gateways {id} targets':
        return { op: 'CreateGatewayTarget', run: (s, body) => s.createTarget(g, body) };
      case 'GET gateways {id} targets':
        return { op: 'ListGatewayTargets', run: (s, _b, q) => s.listTargets(g, parseMaxResults(q.get('maxResults')), q.get('nextToken')) };
      case 'GET gateways {id} targets {tid}':
        return { op: 'GetGatewayTarget', run: (s) => s.getTarget(g, t) };
      case 'PUT gateways {id} targets {tid}':
        return { op: 'UpdateGatewayTarget', run: (s, body) => s.updateTarget(g, t, body) };
      case 'DELETE gateways {id} targets {tid}':
        return { op: 'DeleteGatewayTarget', run: (s) => s.deleteTarget(g, t) };
      case 'PUT gateways {id} synchronizeTargets':
        return { op: 'SynchronizeGatewayTargets', run: (s, body) => s.synchronizeTargets(g, body) };
    }
  }
  return {
    op: 'Unknown',
    run: () => {
      throw new ApiError('UnknownOperationException', `No operation matches ${key}`);
    },
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('ValidationException', `Malformed percent-encoding in path segment ${segment}`, { reason: 'CannotParse' });
  }
}
