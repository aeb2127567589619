import { randomInt } from 'node:crypto';
import { ApiError, conflict, notFound, validation } from './errors';
import { checkClientToken, checkGatewayBody, checkPolicy, checkTargetBody, GATEWAY_ID, TARGET_ID, type Json } from './validate';

/**
 * The AgentCore Gateway control plane's behaviour, without HTTP: gateways, targets, resource policies
 * and tags, with the lifecycle the real service has (agentcore-gateway-api.md §5, §8, §9, §11):
 * CREATING → READY after a delay, the CREATING race for early targets, no DeleteGateway while targets
 * exist, no delete of a CREATING target, at most 5 concurrent target operations per gateway, and
 * idempotent clientTokens. Statuses advance lazily: every request first settles what is due.
 */

/** Service-side durations at speed 1, in milliseconds. */
export interface Delays {
  gatewayCreate: number;
  gatewayUpdate: number;
  gatewayDelete: number;
  targetCreate: number;
  targetUpdate: number;
  targetDelete: number;
  targetSynchronize: number;
}

// Terraform's create → READY → destroy acceptance test took about 22 s; targets including the
// gateway about 51–60 s (§11). Private-endpoint targets can take minutes; tests scale these down.
export const DEFAULT_DELAYS: Delays = {
  gatewayCreate: 20_000,
  gatewayUpdate: 10_000,
  gatewayDelete: 10_000,
  targetCreate: 30_000,
  targetUpdate: 20_000,
  targetDelete: 10_000,
  targetSynchronize: 10_000,
};

export interface ServiceOptions {
  region: string;
  accountId: string;
  /** Time scale: 1 is realistic, 100 runs every delay 100 times faster. */
  speed: number;
  delays: Delays;
  /** Page size of List* when the request gives no maxResults (small, so that clients must paginate). */
  pageSize: number;
  /** Concurrent target operations (create + update + delete) per gateway (§11: 5). */
  maxConcurrentTargetOperations: number;
  /** GetResourcePolicy without a policy: a 404, or a 200 without `policy` (UNCONFIRMED which, §10). */
  missingPolicy: 'not-found' | 'empty';
  now: () => number;
  /** Deterministic ids when set. */
  seed?: number;
  /**
   * The id the gateway created under a name gets (`<name>-` + 10 lowercase letters or digits), so that
   * something that must know the gateway's URL beforehand can start first (the rehearsal's MCP peer).
   */
  gatewayIds?: Record<string, string>;
}

/** An outcome a test or rehearsal forces on the next create/update of a named resource. */
export interface Fate {
  kind: 'gateway' | 'target';
  name: string;
  /** hold: the change never lands; the resource stays CREATING/UPDATING (a sibling a failure stops). */
  outcome: 'fail' | 'consent' | 'hold';
  reasons: string[];
  authorizationUrl?: string;
  /** How long the service takes to land it, in service milliseconds (default: the operation's delay). */
  serviceMs?: number;
  remaining: number;
}

/**
 * A status change the service made, when it happened and how long it took in service time (at speed
 * 1): what the rehearsal's "against AWS" figure is built from, whatever the speed it ran at.
 */
export interface Landing {
  kind: 'gateway' | 'target';
  gatewayName: string;
  targetName?: string;
  /** The status it reached, or DELETED. */
  to: string;
  /** Wall-clock time (the service's `now`) of the request that started it. */
  requestedAt: number;
  /** Wall-clock time at which it landed. */
  at: number;
  /** The operation's duration at speed 1. */
  serviceMs: number;
}

interface Pending {
  requestedAt: number;
  at: number;
  /** The same duration in service milliseconds (at speed 1). */
  serviceMs: number;
  to: string;
  reasons: string[];
  remove?: boolean;
  authorizationUrl?: string;
}

/** What gateways and targets share: their configuration as last written, and their lifecycle. */
interface Lifecycle {
  createdAt: number;
  updatedAt: number;
  status: string;
  statusReasons: string[];
  /** The status change due at `pending.at` (settled lazily). */
  pending?: Pending;
  config: Json;
  authorizationUrl?: string;
}

interface TargetRecord extends Lifecycle {
  targetId: string;
  lastSynchronizedAt?: number;
}

interface GatewayRecord extends Lifecycle {
  gatewayId: string;
  gatewayArn: string;
  gatewayUrl: string;
  workloadIdentityArn: string;
  tags: Record<string, string>;
  targets: TargetRecord[];
  policy?: string;
}

export interface Reply {
  status: number;
  body?: Json;
  /** The gateway the operation addressed, for the call log. */
  gatewayId?: string;
}

const GATEWAY_CONFIG_KEYS = ['name', 'description', 'roleArn', 'protocolType', 'protocolConfiguration', 'authorizerType', 'authorizerConfiguration', 'kmsKeyArn', 'customTransformConfiguration', 'exceptionLevel', 'interceptorConfigurations', 'policyEngineConfiguration', 'wafConfiguration'];
const TARGET_CONFIG_KEYS = ['name', 'description', 'targetConfiguration', 'credentialProviderConfigurations', 'metadataConfiguration', 'privateEndpoint'];
const TRANSITIONAL_TARGET = ['CREATING', 'UPDATING', 'DELETING', 'SYNCHRONIZING'];
const SETTLED_TARGET = ['READY', 'FAILED', 'UPDATE_UNSUCCESSFUL', 'SYNCHRONIZE_UNSUCCESSFUL', 'CREATE_PENDING_AUTH', 'UPDATE_PENDING_AUTH', 'SYNCHRONIZE_PENDING_AUTH'];

const pick = (body: Json, keys: string[]): Json => Object.fromEntries(keys.filter((k) => body[k] !== undefined).map((k) => [k, structuredClone(body[k])]));
const iso = (ms: number) => new Date(ms).toISOString();

/** JSON with sorted keys, so that equal requests compare equal (idempotency fingerprints). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as Json)
      .filter((k) => (value as Json)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class AgentCoreService {
  private readonly gateways = new Map<string, GatewayRecord>();
  private readonly tokens = new Map<string, { fingerprint: string; gatewayId: string; targetId?: string }>();
  private readonly fates: Fate[] = [];
  private readonly holds: Array<{ gateway: string; target?: string; patch: Json }> = [];
  /** Every status change that landed, in order. */
  readonly landings: Landing[] = [];
  private rng: () => number;

  constructor(readonly options: ServiceOptions) {
    this.rng = options.seed === undefined ? () => randomInt(0, 2 ** 31) / 2 ** 31 : mulberry32(options.seed);
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────

  /** Applies every status change that is due. Called before each request and each snapshot. */
  settle(): void {
    const now = this.options.now();
    for (const g of [...this.gateways.values()]) {
      for (const t of [...g.targets]) {
        if (!t.pending || t.pending.at > now) continue;
        this.landings.push({ kind: 'target', gatewayName: String(g.config.name), targetName: String(t.config.name), to: t.pending.to, requestedAt: t.pending.requestedAt, at: t.pending.at, serviceMs: t.pending.serviceMs });
        if (t.pending.remove) {
          g.targets.splice(g.targets.indexOf(t), 1);
          continue;
        }
        this.land(t, t.pending, now);
        if (t.status === 'READY') t.lastSynchronizedAt = now;
        this.reapplyHeld(g, t);
      }
      if (g.pending && g.pending.at <= now) {
        this.landings.push({ kind: 'gateway', gatewayName: String(g.config.name), to: g.pending.to, requestedAt: g.pending.requestedAt, at: g.pending.at, serviceMs: g.pending.serviceMs });
        if (g.pending.remove) this.gateways.delete(g.gatewayId);
        else {
          this.land(g, g.pending, now);
          this.reapplyHeld(g);
        }
      }
    }
  }

  private land(r: Lifecycle, p: Pending, now: number) {
    r.status = p.to;
    r.statusReasons = p.reasons;
    r.updatedAt = now;
    if (p.authorizationUrl) r.authorizationUrl = p.authorizationUrl;
    else delete r.authorizationUrl;
    delete r.pending;
  }

  private schedule(r: { pending?: Pending }, delayKind: keyof Delays, to: string, extra: Partial<Pending> = {}) {
    const serviceMs = extra.serviceMs ?? this.options.delays[delayKind];
    const now = this.options.now();
    r.pending = { to, reasons: [], ...extra, requestedAt: now, at: now + serviceMs / this.options.speed, serviceMs };
  }

  /** Where a create or update lands: READY, or what a fate forces. */
  private outcomeFor(kind: 'gateway' | 'target', name: string, operation: 'create' | 'update'): { to: string; reasons: string[]; authorizationUrl?: string; serviceMs?: number } {
    const fate = this.fates.find((f) => f.kind === kind && f.name === name && f.remaining > 0);
    if (!fate) return { to: 'READY', reasons: [] };
    fate.remaining -= 1;
    if (fate.outcome === 'hold') return { to: 'READY', reasons: [], serviceMs: Number.POSITIVE_INFINITY };
    if (fate.outcome === 'consent') {
      return { to: operation === 'create' ? 'CREATE_PENDING_AUTH' : 'UPDATE_PENDING_AUTH', reasons: fate.reasons, authorizationUrl: fate.authorizationUrl ?? 'https://auth.example.com/oauth2/authorize?request_uri=urn%3Aemulated' };
    }
    return { to: operation === 'create' ? 'FAILED' : 'UPDATE_UNSUCCESSFUL', reasons: fate.reasons, ...(fate.serviceMs !== undefined ? { serviceMs: fate.serviceMs } : {}) };
  }

  /**
   * An out-of-band writer that keeps its edit: after every update of the resource lands, the patch
   * is applied again (another team's automation fighting keygate). Drift repair cannot converge.
   */
  holdEdit(hold: { gateway: string; target?: string; patch: Json }): void {
    this.holds.push(structuredClone(hold));
    if (hold.target) this.editTarget(hold.gateway, hold.target, hold.patch);
    else this.editGateway(hold.gateway, hold.patch);
  }

  private reapplyHeld(g: GatewayRecord, t?: TargetRecord): void {
    for (const h of this.holds) {
      const sameGateway = [g.gatewayId, g.gatewayArn, g.config.name].includes(h.gateway);
      if (!sameGateway || (t ? !h.target || ![t.targetId, t.config.name].includes(h.target) : h.target)) continue;
      for (const [k, v] of Object.entries(structuredClone(h.patch))) (t ?? g).config[k] = v;
    }
  }

  addFate(fate: Omit<Fate, 'remaining'> & { times?: number }): void {
    const { times, ...rest } = fate;
    this.fates.push({ ...rest, remaining: times ?? 1 });
  }

  // ── identifiers and lookups ──────────────────────────────────────────────────────────────────

  private randomChars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rng() * alphabet.length)];
    return s;
  }

  private gateway(identifier: string): GatewayRecord {
    // The path takes the gateway ID; an ARN there was answered with AccessDenied (§2, bedrock-agentcore-sdk-python#433).
    if (identifier.startsWith('arn:')) throw new ApiError('AccessDeniedException', `User is not authorized to perform this action on gateway ${identifier} (use the gateway ID, not its ARN)`);
    if (!GATEWAY_ID.test(identifier)) throw validation(`gatewayIdentifier "${identifier}" does not match ${GATEWAY_ID.source}`, 'gatewayIdentifier');
    const g = this.gateways.get(identifier);
    if (!g) throw notFound(`Gateway not found: ${identifier}`);
    return g;
  }

  private target(g: GatewayRecord, targetId: string): TargetRecord {
    if (!TARGET_ID.test(targetId)) throw validation(`targetId "${targetId}" does not match ${TARGET_ID.source}`, 'targetId');
    const t = g.targets.find((x) => x.targetId === targetId);
    if (!t) throw notFound(`Target not found: ${targetId} on gateway ${g.gatewayId}`);
    return t;
  }

  private byArn(arn: string): GatewayRecord {
    const g = [...this.gateways.values()].find((x) => x.gatewayArn === arn);
    if (!g) throw notFound(`Resource not found: ${arn}`);
    return g;
  }

  /** Controls address resources by id, ARN or name. */
  findGateway(ref: string): GatewayRecord {
    this.settle();
    const g = [...this.gateways.values()].find((x) => x.gatewayId === ref || x.gatewayArn === ref || x.config.name === ref);
    if (!g) throw new Error(`emulator: no gateway ${ref}`);
    return g;
  }

  findTarget(gatewayRef: string, ref: string): { g: GatewayRecord; t: TargetRecord } {
    const g = this.findGateway(gatewayRef);
    const t = g.targets.find((x) => x.targetId === ref || x.config.name === ref);
    if (!t) throw new Error(`emulator: no target ${ref} on gateway ${g.gatewayId}`);
    return { g, t };
  }

  transitionalTargets(gatewayId: string): number {
    return this.gateways.get(gatewayId)?.targets.filter((t) => TRANSITIONAL_TARGET.includes(t.status)).length ?? 0;
  }

  // ── views (the wire shapes of §4.3 and §4.6) ─────────────────────────────────────────────────

  gatewayView(g: GatewayRecord): Json {
    return {
      gatewayArn: g.gatewayArn,
      gatewayId: g.gatewayId,
      gatewayUrl: g.gatewayUrl,
      createdAt: iso(g.createdAt),
      updatedAt: iso(g.updatedAt),
      status: g.status,
      ...(g.statusReasons.length ? { statusReasons: [...g.statusReasons] } : {}),
      ...structuredClone(g.config),
      workloadIdentityDetails: { workloadIdentityArn: g.workloadIdentityArn },
    };
  }

  private gatewaySummary(g: GatewayRecord): Json {
    const c = g.config;
    return {
      gatewayId: g.gatewayId,
      name: c.name,
      status: g.status,
      createdAt: iso(g.createdAt),
      updatedAt: iso(g.updatedAt),
      authorizerType: c.authorizerType,
      ...(c.description !== undefined ? { description: c.description } : {}),
      ...(c.protocolType !== undefined ? { protocolType: c.protocolType } : {}),
    };
  }

  targetView(g: GatewayRecord, t: TargetRecord): Json {
    const c = t.config;
    const privateEndpoint = c.privateEndpoint as Json | undefined;
    const endpoint = ((c.targetConfiguration as Json)?.mcp as Json | undefined)?.mcpServer as Json | undefined;
    return {
      gatewayArn: g.gatewayArn,
      targetId: t.targetId,
      createdAt: iso(t.createdAt),
      updatedAt: iso(t.updatedAt),
      status: t.status,
      ...(t.statusReasons.length ? { statusReasons: [...t.statusReasons] } : {}),
      ...structuredClone(c),
      credentialProviderConfigurations: structuredClone((c.credentialProviderConfigurations as unknown[]) ?? []),
      ...(privateEndpoint?.managedVpcResource
        ? {
            privateEndpointManagedResources: [
              {
                domain: typeof endpoint?.endpoint === 'string' ? new URL(endpoint.endpoint).hostname : undefined,
                resourceGatewayArn: `arn:aws:vpc-lattice:${this.options.region}:${this.options.accountId}:resourcegateway/rgw-${t.targetId.toLowerCase()}`,
                resourceAssociationArn: `arn:aws:vpc-lattice:${this.options.region}:${this.options.accountId}:servicenetworkresourceassociation/snra-${t.targetId.toLowerCase()}`,
              },
            ],
          }
        : {}),
      ...(t.lastSynchronizedAt !== undefined ? { lastSynchronizedAt: iso(t.lastSynchronizedAt) } : {}),
      ...(t.authorizationUrl ? { authorizationData: { oauth2: { authorizationUrl: t.authorizationUrl } } } : {}),
      protocolType: 'MCP',
    };
  }

  private targetSummary(t: TargetRecord): Json {
    const server = ((t.config.targetConfiguration as Json)?.mcp as Json | undefined)?.mcpServer as Json | undefined;
    return {
      targetId: t.targetId,
      name: t.config.name,
      status: t.status,
      createdAt: iso(t.createdAt),
      updatedAt: iso(t.updatedAt),
      ...(t.config.description !== undefined ? { description: t.config.description } : {}),
      ...(t.lastSynchronizedAt !== undefined ? { lastSynchronizedAt: iso(t.lastSynchronizedAt) } : {}),
      ...(t.authorizationUrl ? { authorizationData: { oauth2: { authorizationUrl: t.authorizationUrl } } } : {}),
      ...(server ? { targetType: 'MCP_SERVER', listingMode: server.listingMode ?? 'DEFAULT' } : {}),
    };
  }

  private page<T>(items: T[], kind: string, maxResults: number | undefined, nextToken: string | null): { items: T[]; nextToken?: string } {
    let offset = 0;
    if (nextToken !== null) {
      const m = /^([a-z]+):(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
      if (!m || m[1] !== kind) throw validation('Invalid nextToken', 'nextToken');
      offset = Number(m[2]);
    }
    const size = maxResults ?? this.options.pageSize;
    const slice = items.slice(offset, offset + size);
    const next = offset + size < items.length ? Buffer.from(`${kind}:${offset + size}`).toString('base64url') : undefined;
    return { items: slice, ...(next ? { nextToken: next } : {}) };
  }

  /** A repeated clientToken: the original resource for the same request, an error for a different one (§7). */
  private replay(key: string | undefined, fingerprint: string): { gatewayId: string; targetId?: string } | undefined {
    if (!key) return undefined;
    const seen = this.tokens.get(key);
    if (!seen) return undefined;
    if (seen.fingerprint !== fingerprint) throw validation('The request used a clientToken that was already used with different parameters', 'clientToken', 'IdempotentParameterMismatchException');
    return seen;
  }

  // ── gateways ─────────────────────────────────────────────────────────────────────────────────

  createGateway(body: Json): Reply {
    checkGatewayBody(body);
    const token = checkClientToken(body);
    const { clientToken: _ignored, ...request } = body;
    const key = token ? `CreateGateway:${token}` : undefined;
    const seen = this.replay(key, canonical(request));
    if (seen) {
      const g = this.gateways.get(seen.gatewayId);
      if (g) return { status: 202, body: this.gatewayView(g), gatewayId: g.gatewayId };
    }
    const name = String(body.name);
    if ([...this.gateways.values()].some((g) => g.config.name === name)) throw conflict(`A gateway named ${name} already exists`);
    const { region, accountId } = this.options;
    const gatewayId = this.options.gatewayIds?.[name] ?? `${name.toLowerCase()}-${this.randomChars(10, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
    const now = this.options.now();
    const g: GatewayRecord = {
      gatewayId,
      gatewayArn: `arn:aws:bedrock-agentcore:${region}:${accountId}:gateway/${gatewayId}`,
      gatewayUrl: gatewayUrlOf(gatewayId, region),
      workloadIdentityArn: `arn:aws:bedrock-agentcore:${region}:${accountId}:workload-identity-directory/default/workload-identity/${gatewayId}`,
      createdAt: now,
      updatedAt: now,
      status: 'CREATING',
      statusReasons: [],
      config: pick(body, GATEWAY_CONFIG_KEYS),
      tags: { ...((body.tags as Record<string, string>) ?? {}) },
      targets: [],
    };
    const outcome = this.outcomeFor('gateway', name, 'create');
    this.schedule(g, 'gatewayCreate', outcome.to, { reasons: outcome.reasons, ...(outcome.serviceMs !== undefined ? { serviceMs: outcome.serviceMs } : {}) });
    this.gateways.set(gatewayId, g);
    if (key) this.tokens.set(key, { fingerprint: canonical(request), gatewayId });
    return { status: 202, body: this.gatewayView(g), gatewayId };
  }

  getGateway(id: string): Reply {
    const g = this.gateway(id);
    return { status: 200, body: this.gatewayView(g), gatewayId: g.gatewayId };
  }

  updateGateway(id: string, body: Json): Reply {
    const g = this.gateway(id);
    checkGatewayBody(body);
    if (['CREATING', 'UPDATING', 'DELETING'].includes(g.status)) throw validation(`Cannot perform operation UpdateGateway when gateway is in ${g.status} status`);
    const name = String(body.name);
    if (name !== g.config.name && [...this.gateways.values()].some((x) => x.config.name === name)) throw conflict(`A gateway named ${name} already exists`);
    // UpdateGateway replaces the whole document: optional blocks left out are cleared (§4.4, UNCONFIRMED).
    g.config = pick(body, GATEWAY_CONFIG_KEYS);
    g.status = 'UPDATING';
    g.statusReasons = [];
    g.updatedAt = this.options.now();
    const outcome = this.outcomeFor('gateway', name, 'update');
    this.schedule(g, 'gatewayUpdate', outcome.to, { reasons: outcome.reasons });
    return { status: 202, body: this.gatewayView(g), gatewayId: g.gatewayId };
  }

  deleteGateway(id: string): Reply {
    const g = this.gateway(id);
    if (g.targets.length) throw validation(`Gateway ${g.gatewayId} has targets associated with it. Delete all targets before deleting the gateway.`);
    if (['CREATING', 'UPDATING'].includes(g.status)) throw validation(`Cannot perform operation DeleteGateway when gateway is in ${g.status} status`);
    if (g.status !== 'DELETING') {
      g.status = 'DELETING';
      g.statusReasons = [];
      g.updatedAt = this.options.now();
      this.schedule(g, 'gatewayDelete', 'DELETED', { remove: true });
    }
    return { status: 202, body: { gatewayId: g.gatewayId, status: g.status }, gatewayId: g.gatewayId };
  }

  listGateways(maxResults: number | undefined, nextToken: string | null): Reply {
    const { items, nextToken: next } = this.page([...this.gateways.values()], 'gateways', maxResults, nextToken);
    return { status: 200, body: { items: items.map((g) => this.gatewaySummary(g)), ...(next ? { nextToken: next } : {}) } };
  }

  // ── targets ──────────────────────────────────────────────────────────────────────────────────

  private requireReadyGateway(g: GatewayRecord, operation: string): void {
    if (g.status !== 'READY') throw validation(`Cannot perform operation ${operation} when gateway is in ${g.status} status`);
  }

  /**
   * Quota "concurrent target operations per gateway" (§11). The error class the service answers with
   * is UNCONFIRMED; a quota error is the closest documented fit.
   */
  private guardConcurrency(g: GatewayRecord): void {
    const running = this.transitionalTargets(g.gatewayId);
    const limit = this.options.maxConcurrentTargetOperations;
    if (running >= limit) throw new ApiError('ServiceQuotaExceededException', `Too many concurrent target operations on gateway ${g.gatewayId}: ${running} in progress, limit ${limit}`);
  }

  createTarget(gatewayId: string, body: Json): Reply {
    const g = this.gateway(gatewayId);
    checkTargetBody(body, { create: true });
    const token = checkClientToken(body);
    const { clientToken: _ignored, ...request } = body;
    const key = token ? `CreateGatewayTarget:${g.gatewayId}:${token}` : undefined;
    const seen = this.replay(key, canonical(request));
    const replayed = seen?.targetId ? g.targets.find((t) => t.targetId === seen.targetId) : undefined;
    if (replayed) return { status: 202, body: this.targetView(g, replayed), gatewayId: g.gatewayId };
    this.requireReadyGateway(g, 'CreateGatewayTarget');
    this.guardConcurrency(g);
    const name = String(body.name ?? `target-${this.randomChars(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}`);
    if (g.targets.some((t) => t.config.name === name)) throw conflict(`A target named ${name} already exists on gateway ${g.gatewayId}`);
    const now = this.options.now();
    const t: TargetRecord = {
      targetId: this.randomChars(10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
      createdAt: now,
      updatedAt: now,
      status: 'CREATING',
      statusReasons: [],
      config: { ...pick(body, TARGET_CONFIG_KEYS), name },
    };
    const outcome = this.outcomeFor('target', name, 'create');
    this.schedule(t, 'targetCreate', outcome.to, { reasons: outcome.reasons, ...(outcome.authorizationUrl ? { authorizationUrl: outcome.authorizationUrl } : {}), ...(outcome.serviceMs !== undefined ? { serviceMs: outcome.serviceMs } : {}) });
    g.targets.push(t);
    if (key) this.tokens.set(key, { fingerprint: canonical(request), gatewayId: g.gatewayId, targetId: t.targetId });
    return { status: 202, body: this.targetView(g, t), gatewayId: g.gatewayId };
  }

  getTarget(gatewayId: string, targetId: string): Reply {
    const g = this.gateway(gatewayId);
    return { status: 200, body: this.targetView(g, this.target(g, targetId)), gatewayId: g.gatewayId };
  }

  updateTarget(gatewayId: string, targetId: string, body: Json): Reply {
    const g = this.gateway(gatewayId);
    const t = this.target(g, targetId);
    checkTargetBody(body, { create: false });
    if (TRANSITIONAL_TARGET.includes(t.status)) throw validation(`Cannot perform operation UpdateGatewayTarget when target is in ${t.status} status`);
    this.requireReadyGateway(g, 'UpdateGatewayTarget');
    this.guardConcurrency(g);
    const name = String(body.name);
    if (name !== t.config.name && g.targets.some((x) => x.config.name === name)) throw conflict(`A target named ${name} already exists on gateway ${g.gatewayId}`);
    t.config = pick(body, TARGET_CONFIG_KEYS);
    t.status = 'UPDATING';
    t.statusReasons = [];
    t.updatedAt = this.options.now();
    delete t.authorizationUrl;
    const outcome = this.outcomeFor('target', name, 'update');
    this.schedule(t, 'targetUpdate', outcome.to, { reasons: outcome.reasons, ...(outcome.authorizationUrl ? { authorizationUrl: outcome.authorizationUrl } : {}) });
    return { status: 202, body: this.targetView(g, t), gatewayId: g.gatewayId };
  }

  deleteTarget(gatewayId: string, targetId: string): Reply {
    const g = this.gateway(gatewayId);
    const t = this.target(g, targetId);
    if (t.status !== 'DELETING') {
      // Deleting a CREATING target fails (awslabs/nx-plugin-for-aws PR #660); the error class is UNCONFIRMED.
      if (!SETTLED_TARGET.includes(t.status)) throw validation(`Cannot perform operation DeleteGatewayTarget when target is in ${t.status} status`);
      this.guardConcurrency(g);
      t.status = 'DELETING';
      t.statusReasons = [];
      t.updatedAt = this.options.now();
      this.schedule(t, 'targetDelete', 'DELETED', { remove: true });
    }
    return { status: 202, body: { gatewayArn: g.gatewayArn, targetId: t.targetId, status: t.status }, gatewayId: g.gatewayId };
  }

  listTargets(gatewayId: string, maxResults: number | undefined, nextToken: string | null): Reply {
    const g = this.gateway(gatewayId);
    const { items, nextToken: next } = this.page(g.targets, 'targets', maxResults, nextToken);
    return { status: 200, body: { items: items.map((t) => this.targetSummary(t)), ...(next ? { nextToken: next } : {}) }, gatewayId: g.gatewayId };
  }

  synchronizeTargets(gatewayId: string, body: Json): Reply {
    const g = this.gateway(gatewayId);
    const ids = body.targetIdList;
    if (!Array.isArray(ids) || ids.length === 0) throw validation('targetIdList is required', 'targetIdList');
    const targets = ids.map((id) => this.target(g, String(id)));
    for (const t of targets) {
      if (t.status !== 'READY') throw validation(`Cannot perform operation SynchronizeGatewayTargets when target is in ${t.status} status`);
    }
    this.requireReadyGateway(g, 'SynchronizeGatewayTargets');
    this.guardConcurrency(g);
    for (const t of targets) {
      t.status = 'SYNCHRONIZING';
      t.updatedAt = this.options.now();
      this.schedule(t, 'targetSynchronize', 'READY');
    }
    return { status: 202, body: { targets: targets.map((t) => this.targetView(g, t)) }, gatewayId: g.gatewayId };
  }

  // ── resource policies and tags ───────────────────────────────────────────────────────────────

  putResourcePolicy(arn: string, body: Json): Reply {
    const g = this.byArn(arn);
    g.policy = checkPolicy(body.policy, g.gatewayArn);
    return { status: 201, body: { policy: g.policy }, gatewayId: g.gatewayId };
  }

  getResourcePolicy(arn: string): Reply {
    const g = this.byArn(arn);
    if (g.policy !== undefined) return { status: 200, body: { policy: g.policy }, gatewayId: g.gatewayId };
    if (this.options.missingPolicy === 'empty') return { status: 200, body: {}, gatewayId: g.gatewayId };
    throw notFound(`No resource policy for ${arn}`);
  }

  deleteResourcePolicy(arn: string): Reply {
    const g = this.byArn(arn);
    if (g.policy === undefined) throw notFound(`No resource policy for ${arn}`);
    delete g.policy;
    return { status: 204, gatewayId: g.gatewayId };
  }

  listTags(arn: string): Reply {
    const g = this.byArn(arn);
    return { status: 200, body: { tags: { ...g.tags } }, gatewayId: g.gatewayId };
  }

  tagResource(arn: string, body: Json): Reply {
    const g = this.byArn(arn);
    Object.assign(g.tags, (body.tags as Record<string, string>) ?? {});
    return { status: 204, gatewayId: g.gatewayId };
  }

  untagResource(arn: string, keys: string[]): Reply {
    const g = this.byArn(arn);
    for (const k of keys) delete g.tags[k];
    return { status: 204, gatewayId: g.gatewayId };
  }

  // ── out-of-band changes (drift) and snapshots ────────────────────────────────────────────────

  /** Changes a gateway as someone in the console would: config fields, tags, or its status. */
  editGateway(ref: string, patch: Json & { status?: string; statusReasons?: string[]; tags?: Record<string, string> }): void {
    const g = this.findGateway(ref);
    const { status, statusReasons, tags, ...config } = patch;
    for (const [k, v] of Object.entries(config)) {
      if (v === undefined) delete g.config[k];
      else g.config[k] = structuredClone(v);
    }
    if (tags) g.tags = { ...tags };
    if (status) {
      g.status = status;
      delete g.pending;
    }
    if (statusReasons) g.statusReasons = [...statusReasons];
    g.updatedAt = this.options.now();
  }

  editTarget(gatewayRef: string, ref: string, patch: Json & { status?: string; statusReasons?: string[] }): void {
    const { t } = this.findTarget(gatewayRef, ref);
    const { status, statusReasons, ...config } = patch;
    for (const [k, v] of Object.entries(config)) {
      if (v === undefined) delete t.config[k];
      else t.config[k] = structuredClone(v);
    }
    if (status) {
      t.status = status;
      delete t.pending;
    }
    if (statusReasons) t.statusReasons = [...statusReasons];
    t.updatedAt = this.options.now();
  }

  removeTarget(gatewayRef: string, ref: string): void {
    const { g, t } = this.findTarget(gatewayRef, ref);
    g.targets.splice(g.targets.indexOf(t), 1);
  }

  removeGateway(ref: string): void {
    this.gateways.delete(this.findGateway(ref).gatewayId);
  }

  setPolicy(gatewayRef: string, policy: string | undefined): void {
    const g = this.findGateway(gatewayRef);
    if (policy === undefined) delete g.policy;
    else g.policy = policy;
  }

  /** A person completed OAuth consent for a *_PENDING_AUTH target. */
  completeConsent(gatewayRef: string, ref: string): void {
    const { t } = this.findTarget(gatewayRef, ref);
    if (!t.status.endsWith('_PENDING_AUTH')) throw new Error(`emulator: target ${ref} is ${t.status}, not waiting for consent`);
    t.status = 'READY';
    delete t.authorizationUrl;
    t.lastSynchronizedAt = this.options.now();
    t.updatedAt = this.options.now();
  }

  snapshot(): EmulatorSnapshot {
    this.settle();
    return {
      gateways: [...this.gateways.values()].map((g) => ({
        ...(this.gatewayView(g) as GatewaySnapshot),
        tags: { ...g.tags },
        ...(g.policy !== undefined ? { policy: g.policy } : {}),
        targets: g.targets.map((t) => this.targetView(g, t) as TargetSnapshot),
      })),
    };
  }
}

export interface TargetSnapshot extends Json {
  targetId: string;
  name: string;
  status: string;
  statusReasons?: string[];
}

export interface GatewaySnapshot extends Json {
  gatewayId: string;
  gatewayArn: string;
  name: string;
  status: string;
  statusReasons?: string[];
  tags: Record<string, string>;
  policy?: string;
  targets: TargetSnapshot[];
}

export interface EmulatorSnapshot {
  gateways: GatewaySnapshot[];
}

/** The MCP URL AgentCore gives a gateway (`GetGateway` `gatewayUrl`). */
export const gatewayUrlOf = (gatewayId: string, region: string): string => `https://${gatewayId}.gateway.bedrock-agentcore.${region}.amazonaws.com/mcp`;

/** A small seeded PRNG for reproducible ids (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
