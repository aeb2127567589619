import * as z from 'zod/mini';
import { describeIssues } from '../desired/messages';
import { formatPath } from '../desired/paths';
import { KeycloakSnapshotInvalidError, type Problem } from '../errors';

/**
 * The observe step's output: a compact JSON snapshot of what keygate manages in one realm (not a
 * realm export). `keygate plan --keycloak-observed FILE` reads the same format; docs/keycloak-snapshot.md
 * documents it field by field.
 */
export const SNAPSHOT_FORMAT = 'keygate.keycloak-snapshot/1';

/** Realm attribute where keygate records what it created (the only objects it ever deletes). */
export const OWNERSHIP_ATTRIBUTE = 'keygate.owned';

const str = z.string();
const stringMap = z.record(z.string(), z.string());
const owned = z.strictObject({ name: str, id: z.nullable(str) });

export const OwnershipSchema = z.strictObject({
  v: z.literal(1),
  realmCreated: z._default(z.boolean(), false),
  users: z._default(z.array(owned), []),
  clientScopes: z._default(z.array(owned), []),
  audienceMappers: z._default(z.array(z.strictObject({ scope: str, name: str, id: z.nullable(str) })), []),
  clientProfiles: z._default(z.array(str), []),
  clientPolicies: z._default(z.array(str), []),
  clients: z._default(z.array(owned), []),
});

const ConfigEntrySchema = z.looseObject({ configuration: z.optional(z.record(z.string(), z.unknown())) });
/** A client profile exactly as Keycloak returns it (unknown keys kept: keygate compares what it manages). */
export const RawProfileSchema = z.looseObject({
  name: str,
  description: z.optional(str),
  executors: z._default(z.array(z.extend(ConfigEntrySchema, { executor: str })), []),
});
export const RawPolicySchema = z.looseObject({
  name: str,
  description: z.optional(str),
  enabled: z.optional(z.union([z.boolean(), str])),
  conditions: z._default(z.array(z.extend(ConfigEntrySchema, { condition: str })), []),
  profiles: z._default(z.array(str), []),
});

export const ObservedMapperSchema = z.looseObject({ id: str, name: str, protocol: z.optional(str), protocolMapper: str, config: z._default(stringMap, {}) });

export const ObservedRealmSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  realm: str,
  instanceId: z.optional(str),
  server: z.strictObject({ cimdSupported: z.boolean(), discoveryRealm: z.nullable(str) }),
  exists: z.boolean(),
  enabled: z.boolean(),
  /** null: the realm carries no ownership record (keygate created nothing there, so it deletes nothing). */
  ownership: z.nullable(OwnershipSchema),
  /** Set when the record could not be read; keygate then owns nothing until it writes a fresh one. */
  ownershipProblem: z.optional(str),
  users: z.array(
    z.looseObject({
      id: str,
      username: str,
      enabled: z.optional(z.boolean()),
      emailVerified: z.optional(z.boolean()),
      email: z.optional(str),
      firstName: z.optional(str),
      lastName: z.optional(str),
    }),
  ),
  clientScopes: z.array(
    z.looseObject({
      id: str,
      name: str,
      description: z.optional(str),
      protocol: z.optional(str),
      attributes: z._default(stringMap, {}),
      protocolMappers: z._default(z.array(ObservedMapperSchema), []),
    }),
  ),
  realmDefaultClientScopes: z.array(str),
  realmOptionalClientScopes: z.array(str),
  clientProfiles: z.array(RawProfileSchema),
  otherClientProfiles: z.array(str),
  clientPolicies: z.array(RawPolicySchema),
  otherClientPolicies: z.array(str),
  clients: z.array(
    z.looseObject({
      id: str,
      clientId: str,
      defaultClientScopes: z._default(z.array(str), []),
      optionalClientScopes: z._default(z.array(str), []),
    }),
  ),
});

export type Ownership = z.output<typeof OwnershipSchema>;
export type RawProfile = z.output<typeof RawProfileSchema>;
export type RawPolicy = z.output<typeof RawPolicySchema>;
export type ObservedMapper = z.output<typeof ObservedMapperSchema>;
export type ObservedRealm = z.output<typeof ObservedRealmSchema>;
export type ObservedUser = ObservedRealm['users'][number];
export type ObservedClientScope = ObservedRealm['clientScopes'][number];
export type ObservedClient = ObservedRealm['clients'][number];

export const EMPTY_OWNERSHIP: Ownership = Object.freeze({
  v: 1,
  realmCreated: false,
  users: [],
  clientScopes: [],
  audienceMappers: [],
  clientProfiles: [],
  clientPolicies: [],
  clients: [],
}) as Ownership;

/**
 * Checks a snapshot read from a file or a state's input. Throws {@link KeycloakSnapshotInvalidError}
 * listing every problem with its path.
 *
 * @example
 * const observed = parseSnapshot(JSON.parse(readFileSync('observed.json', 'utf8')), 'observed.json');
 */
export function parseSnapshot(value: unknown, source: string): ObservedRealm {
  const result = ObservedRealmSchema.safeParse(value);
  if (result.success) return result.data;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KeycloakSnapshotInvalidError(source, [{ path: '', message: 'must be a JSON object', fix: 'start from the minimal snapshot in docs/keycloak-snapshot.md' }]);
  }
  const problems = describeIssues(result.error.issues, ObservedRealmSchema, value).map(({ path, message }): Problem => ({
    path: formatPath(path),
    message,
    fix: message.startsWith('unknown key') ? 'remove it: a snapshot holds only the fields docs/keycloak-snapshot.md lists' : `see ${fieldRow(path)} in the Fields table of docs/keycloak-snapshot.md`,
  }));
  throw new KeycloakSnapshotInvalidError(source, problems.slice(0, MAX_PROBLEMS), Math.max(0, problems.length - MAX_PROBLEMS));
}

const MAX_PROBLEMS = 10;

/**
 * Why a valid snapshot is not of the document's Keycloak: another realm, or another instance (when
 * the snapshot names the one it was taken on). Planning against it would list changes to the wrong
 * realm as if they were the document's. Empty when it is the document's.
 *
 * @example
 * snapshotSubjectProblems({ realm: 'mcp-demo', instanceId: 'i-0123456789abcdef0' }, observed) // []
 */
export function snapshotSubjectProblems(expected: { realm: string; instanceId: string }, snapshot: Pick<ObservedRealm, 'realm' | 'instanceId'>): Problem[] {
  const problems: Problem[] = [];
  if (snapshot.realm !== expected.realm) {
    problems.push({ path: 'realm', message: `the snapshot is of realm "${snapshot.realm}", the document's keycloak.realm.name is "${expected.realm}"`, fix: `take the snapshot of realm ${expected.realm}, or plan with the document of realm ${snapshot.realm}` });
  }
  if (snapshot.instanceId !== undefined && snapshot.instanceId !== expected.instanceId) {
    problems.push({ path: 'instanceId', message: `the snapshot was taken on ${snapshot.instanceId}, the document's keycloak.instanceId is ${expected.instanceId}`, fix: `take the snapshot on ${expected.instanceId}, or plan with the document of the Keycloak on ${snapshot.instanceId}` });
  }
  return problems;
}

/** The row of docs/keycloak-snapshot.md's Fields table that documents `path` (`server.cimdSupported`, `users[]`). */
function fieldRow(path: ReadonlyArray<PropertyKey>): string {
  const [top, next] = path;
  if (top === 'server' && typeof next === 'string') return `"server.${next}"`;
  if (top === 'ownership' && path.length > 1) return '"ownership" and the ownership record below it';
  return `"${String(top)}${LIST_ROWS.has(String(top)) ? '[]' : ''}"`;
}

/** Fields the documentation's table names `field[]` (lists of objects). */
const LIST_ROWS = new Set(['users', 'clientScopes', 'clientProfiles', 'clientPolicies', 'clients']);

/** Reads the ownership record from the realm attribute's text; a damaged record owns nothing (and is rewritten). */
export function parseOwnership(text: string | undefined): { ownership: Ownership | null; problem?: string } {
  if (text === undefined || text === '') return { ownership: null };
  try {
    const result = OwnershipSchema.safeParse(JSON.parse(text));
    if (result.success) return { ownership: result.data };
    return { ownership: null, problem: `realm attribute ${OWNERSHIP_ATTRIBUTE} is not a keygate ownership record: ${result.error.issues[0]?.message}` };
  } catch {
    return { ownership: null, problem: `realm attribute ${OWNERSHIP_ATTRIBUTE} is not JSON` };
  }
}

/**
 * The snapshot of a realm that does not exist yet on a server with (or without) the CIMD feature:
 * what the observe step reports for a fresh Keycloak.
 *
 * @example
 * planRealm(desired, emptyRealmSnapshot('mcp-demo', true)) // the seed's seven manual steps
 */
export function emptyRealmSnapshot(realm: string, cimdSupported: boolean): ObservedRealm {
  return {
    format: SNAPSHOT_FORMAT,
    realm,
    server: { cimdSupported, discoveryRealm: 'master' },
    exists: false,
    enabled: false,
    ownership: null,
    users: [],
    clientScopes: [],
    realmDefaultClientScopes: [],
    realmOptionalClientScopes: [],
    clientProfiles: [],
    otherClientProfiles: [],
    clientPolicies: [],
    otherClientPolicies: [],
    clients: [],
  };
}
