import type { RealmChange } from './plan-realm';
import type { Ownership } from './snapshot';

const SYMBOL = { create: '+', update: '~', delete: '-', noop: '=' } as const;
const show = (v: unknown): string => (v === undefined ? '(absent)' : typeof v === 'string' ? `"${v}"` : JSON.stringify(v));
const list = (items: readonly string[]) => (items.length ? items.join(', ') : '(none)');

/**
 * One line per change, worded like the seed's manual steps (realm, user, client scope and its type,
 * audience mapper, CIMD profile and policy, OAuth 2.1 profile and policy, the #49456 workaround).
 *
 * @example
 * describeChange({ action: 'create', kind: 'realm', name: 'mcp-demo', before: null, after: {}, reason: 'missing' })
 * // '+ realm mcp-demo (enabled)'
 */
export function describeChange(c: RealmChange): string {
  const head = `${SYMBOL[c.action]} ${what(c)}`;
  if (c.action === 'update' && c.diff?.length && c.kind !== 'ownership' && c.kind !== 'client-scope-type') return `${head}: ${c.diff.map((d) => `${d.field} ${show(d.actual)} → ${show(d.expected)}`).join('; ')}`;
  if (c.action === 'delete') return `${head} (created by keygate, no longer in the document)`;
  return `${head}${detail(c)}${c.note ? ` [${c.note}]` : ''}`;
}

function what(c: RealmChange): string {
  const names: Record<RealmChange['kind'], string> = {
    realm: 'realm',
    user: 'user',
    'user-password': 'password of user',
    'client-scope': 'client scope',
    'client-scope-type': 'realm type of client scope',
    'audience-mapper': 'audience mapper',
    'client-profile': 'client profile',
    'client-policy': 'client policy',
    client: 'client',
    ownership: 'ownership record',
  };
  if (c.kind === 'audience-mapper') {
    const [scope, ...rest] = c.name.split('/');
    return `audience mapper ${rest.join('/')} on client scope ${scope}`;
  }
  return `${names[c.kind]} ${c.name}`;
}

function detail(c: RealmChange): string {
  if (c.action !== 'create' && !(c.action === 'update' && (c.kind === 'ownership' || c.kind === 'user-password' || c.kind === 'client-scope-type'))) return '';
  const a = c.after as Record<string, any>;
  switch (c.kind) {
    case 'realm':
      return ' (enabled)';
    case 'user':
      return `${a.email ? ` <${a.email}>` : ''}: password from SSM SecureString ${a.passwordParameter}, ${a.resetPassword ? 'reset on every run' : 'set at creation only'}`;
    case 'user-password':
      return `: reset from SSM SecureString ${a.passwordParameter} (resetPassword: true)`;
    case 'client-scope':
      return `: ${a.protocol}, include in token scope ${a.attributes['include.in.token.scope']}`;
    case 'client-scope-type':
      return `: ${String(c.before)} → ${String(c.after)}`;
    case 'audience-mapper': {
      const where = [['access token', 'access.token.claim'], ['introspection', 'introspection.token.claim'], ['ID token', 'id.token.claim'], ['lightweight token', 'lightweight.claim']];
      return `: aud "${a.config['included.custom.audience']}" in ${list(where.filter(([, k]) => a.config[k!] === 'true').map(([l]) => l!))}`;
    }
    case 'client-profile':
      return `: ${a.executors.map((e: { executor: string }) => e.executor).join(', ')}`;
    case 'client-policy': {
      const when = a.conditions.map((x: { condition: string; configuration: Record<string, unknown> }) => `${x.condition}(${Object.entries(x.configuration).filter(([k]) => k !== 'is-negative-logic').map(([, v]) => (Array.isArray(v) ? v.join('|') : String(v))).join('; ')})`);
      return ` (enabled): when ${when.join(' and ')} use ${list(a.profiles)}`;
    }
    case 'client':
      return `: confidential, client credentials only, default scopes ${list(a.defaultClientScopes)}, secret from SSM SecureString ${a.secretParameter} at creation`;
    case 'ownership':
      return `: ${ownershipDelta(c.before as Ownership | null, a as Ownership)}`;
    default:
      return '';
  }
}

function ownershipDelta(before: Ownership | null, after: Ownership): string {
  const names = (o: Ownership | null) =>
    new Set(
      o
        ? [
            ...o.users.map((x) => `user ${x.name}`),
            ...o.clientScopes.map((x) => `client scope ${x.name}`),
            ...o.audienceMappers.map((x) => `mapper ${x.scope}/${x.name}`),
            ...o.clientProfiles.map((x) => `profile ${x}`),
            ...o.clientPolicies.map((x) => `policy ${x}`),
            ...o.clients.map((x) => `client ${x.name}`),
          ]
        : [],
    );
  const b = names(before);
  const a = names(after);
  const added = [...a].filter((x) => !b.has(x));
  const removed = [...b].filter((x) => !a.has(x));
  const parts = [...(added.length ? [`owns ${added.join(', ')}`] : []), ...(removed.length ? [`no longer ${removed.join(', ')}`] : [])];
  return parts.length ? parts.join('; ') : 'ids of the objects it created';
}
