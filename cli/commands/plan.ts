import { escapeStrings } from '../../functions/core/display';
import { formatProblem, KeycloakFeatureDisabledError, KeycloakSnapshotInvalidError } from '../../functions/core/errors';
import { describeChange } from '../../functions/core/keycloak/describe-change';
import { actionable, planRealm, type RealmPlan } from '../../functions/core/keycloak/plan-realm';
import { parseSnapshot, snapshotSubjectProblems } from '../../functions/core/keycloak/snapshot';
import { buildOfflinePlan, type OfflinePlan } from '../../functions/core/plan/offline-plan';
import type { PrivateEndpointWire } from '../../functions/core/gateway/wire';
import { formatFinding, styleFor, summarizeFindings, type Style } from '../format';
import { EXIT, printJson, UsageError, type CliIo } from '../io';
import { cimdPublishDirectoryOption, describeReadError, loadConfig } from '../load-config';

export interface PlanOptions {
  config?: string;
  json?: boolean;
  /** A Keycloak snapshot (docs/keycloak-snapshot.md): plan the realm against it instead of an empty realm. */
  keycloakObserved?: string;
  /** The stack's CimdPublishDirectory (default the template's). */
  cimdPublishDirectory?: string;
}

/**
 * `keygate plan --config FILE [--keycloak-observed SNAPSHOT.json] [--json]`: everything keygate would
 * create, offline; with a snapshot, the Keycloak part is the change plan against it (`keycloak.changes`).
 */
export function planCommand(io: CliIo, opts: PlanOptions): number {
  const { desired, findings } = loadConfig(io, opts.config, { cimdPublishDirectory: cimdPublishDirectoryOption(opts.cimdPublishDirectory) });
  const plan = buildOfflinePlan(desired, findings);
  const observed = opts.keycloakObserved === undefined ? undefined : { source: opts.keycloakObserved, plan: planAgainstSnapshot(io, desired, opts.keycloakObserved) };
  const ok = !findings.some((f) => f.severity === 'error');
  if (opts.json) {
    const keycloak = observed ? { ...plan.keycloak, changes: actionable(observed.plan.changes), unmanaged: observed.plan.unmanaged } : plan.keycloak;
    printJson(io, 'keygate.plan/1', ok, { ...plan, keycloak });
  } else io.stdout(renderPlanText(opts.config!, escapeStrings(plan), styleFor(io.isTTY, io.env), escapeStrings(desired.drift), observed && escapeStrings(observed)));
  return ok ? EXIT.ok : EXIT.findings;
}

function planAgainstSnapshot(io: CliIo, desired: Parameters<typeof planRealm>[0], path: string): RealmPlan {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (cause) {
    throw new UsageError(`cannot read --keycloak-observed ${path}: ${describeReadError(cause)}`);
  }
  try {
    const snapshot = parseSnapshot(JSON.parse(text), path);
    // The snapshot's names are the file's content: escaped before they are printed.
    const foreign = escapeStrings(snapshotSubjectProblems({ realm: desired.keycloak.realm.name, instanceId: desired.keycloak.instanceId }, snapshot));
    if (foreign.length) {
      throw new UsageError(`${path}: a snapshot of another Keycloak than the document's:\n${foreign.map((p) => `  ${formatProblem(path, p)}`).join('\n')}`, { source: path, problems: foreign });
    }
    return planRealm(desired, snapshot);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof SyntaxError) throw new UsageError(`${path}: not JSON (${error.message})`);
    if (error instanceof KeycloakSnapshotInvalidError) throw new UsageError(error.message, { source: error.source, problems: error.problems });
    if (error instanceof KeycloakFeatureDisabledError) throw new UsageError(error.message);
    throw error;
  }
}

function renderRealmChanges(source: string, plan: RealmPlan, s: Style): string {
  const changes = actionable(plan.changes);
  const mark = (line: string) => (line.startsWith('+') ? s.green(line[0]!) : line.startsWith('-') ? s.red(line[0]!) : s.yellow(line[0]!)) + line.slice(1);
  let out = changes.length ? changes.map((c) => `  ${mark(describeChange(c))}\n`).join('') : `  ${s.dim(`no changes: the realm in ${source} matches the document`)}\n`;
  const unmanaged = [...plan.unmanaged.clientProfiles.map((n) => `profile ${n}`), ...plan.unmanaged.clientPolicies.map((n) => `policy ${n}`)];
  if (unmanaged.length) out += `  ${s.dim(`not managed by keygate (never touched): ${unmanaged.join(', ')}`)}\n`;
  for (const w of plan.warnings) out += `  ${s.yellow('warning')} ${w}\n`;
  return out;
}

const list = (items: readonly string[] | undefined, empty = '(none)') => (items && items.length ? items.join(', ') : empty);

function privateEndpoint(p: PrivateEndpointWire | undefined): string | undefined {
  if (!p) return undefined;
  const m = p.managedVpcResource;
  return `managed VPC resource in ${m.vpcIdentifier}, subnets ${list(m.subnetIds)}, security groups ${list(m.securityGroupIds)}${m.routingDomain ? `, routing domain ${m.routingDomain}` : ''}`;
}

function fields(rows: Array<[string, string | undefined]>, indent = '      '): string {
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}\n`).join('');
}

export function renderPlanText(source: string, plan: OfflinePlan, s: Style, drift: { schedule: string; mode: string }, observed?: { source: string; plan: RealmPlan }): string {
  let out = `${s.bold('keygate plan')} for ${source} ${s.dim(observed ? '(offline: against an empty account, and the Keycloak snapshot below)' : '(offline: against an empty account and an empty realm)')}\n\n`;

  const g = plan.gateway.request;
  const jwt = g.authorizerConfiguration.customJWTAuthorizer;
  out += `${s.bold('AgentCore Gateway')} ${s.dim('(CreateGateway, then wait until READY)')}\n`;
  out += `  ${s.green('+')} gateway ${s.bold(g.name)}\n`;
  out += fields([
    ['authorizer', g.authorizerType],
    ['discoveryUrl', jwt.discoveryUrl],
    ['allowedAudience', list(jwt.allowedAudience, '(any: no audience check)')],
    ['allowedScopes', list(jwt.allowedScopes, '(any)')],
    ['allowedClients', list(jwt.allowedClients, '(any)')],
    ['customClaims', jwt.customClaims?.map((c) => `${c.inboundTokenClaimName} ${c.authorizingClaimMatchValue.claimMatchOperator}`).join(', ')],
    ['privateEndpoint', privateEndpoint(jwt.privateEndpoint)],
    ['roleArn', g.roleArn],
  ]);
  for (const t of plan.targets) {
    out += `  ${s.green('+')} target ${s.bold(t.name)} ${s.dim('(only after the gateway is READY)')}\n`;
    out += fields([
      ['endpoint', t.request.targetConfiguration.mcp.mcpServer.endpoint],
      ['listingMode', t.request.targetConfiguration.mcp.mcpServer.listingMode],
      ['privateEndpoint', privateEndpoint(t.request.privateEndpoint)],
    ]);
  }

  out += `\n${s.bold('Gateway resource policy')} ${s.dim('(PutResourcePolicy after the gateway is READY)')}\n`;
  const rp = plan.resourcePolicy;
  if (!rp) out += `  ${s.dim('not managed (no resourcePolicy section)')}\n`;
  else {
    const source = 'parameterName' in rp.vpcEndpointSource ? `the VPC endpoint in SSM parameter ${rp.vpcEndpointSource.parameterName}` : `VPC endpoint${rp.vpcEndpointSource.ids.length === 1 ? '' : 's'} ${list(rp.vpcEndpointSource.ids)}`;
    out += `  ${s.green('+')} allow bedrock-agentcore:InvokeGateway only through ${source}\n`;
    out += `    deny every other endpoint, and deny calls that carry no aws:SourceVpce\n`;
    out += rp.rotation
      ? `    when the parameter changes, allow the old and the new endpoint for ${rp.rotation.gracePeriodSeconds} s, then only the new one\n`
      : `    ${s.dim('no rotation: the ids are literal (a change of them is a deploy; rotationGracePeriodSeconds applies only with vpcEndpoint.parameterName)')}\n`;
  }

  const kc = plan.keycloak;
  out += `\n${s.bold(`Keycloak realm ${kc.realm.realm}`)} ${s.dim(`(Keycloak ${kc.version} on ${kc.instanceId}, admin ${kc.admin.via === 'rest' ? 'REST API at' : 'kcadm.sh against'} ${kc.admin.url} through SSM Run Command${observed ? `; changes against the snapshot ${observed.source}` : ''})`)}\n`;
  if (observed) out += renderRealmChanges(observed.source, observed.plan, s);
  else out += renderOfflineRealm(kc, s);

  out += `\n${s.bold('CIMD client metadata document')}\n`;
  if (!plan.cimd) out += `  ${s.dim('not managed (no cimd section)')}\n`;
  else {
    const where = plan.cimd.publish === null ? 'not published by keygate (verified only)' : 'host' in plan.cimd.publish ? `file ${plan.cimd.publish.host.path} (mode ${plan.cimd.publish.host.mode}) on ${kc.instanceId}` : `s3://${plan.cimd.publish.s3.bucket}/${plan.cimd.publish.s3.key} (Cache-Control: ${plan.cimd.publish.s3.cacheControl})`;
    out += `  ${s.green('+')} ${plan.cimd.url} (${plan.cimd.bytes} bytes) → ${where}\n`;
    out += JSON.stringify(plan.cimd.document, null, 2).split('\n').map((l) => `      ${l}\n`).join('');
  }

  out += `\n${s.bold('Drift detection')}: ${drift.schedule}, mode ${drift.mode}\n`;
  out += `\n${s.bold('Findings')}: ${summarizeFindings(plan.findings)}\n`;
  for (const f of plan.findings) out += formatFinding(source, f, s);
  return out;
}

function renderOfflineRealm(kc: OfflinePlan['keycloak'], s: Style): string {
  let out = '';
  out += `  ${s.green('+')} realm ${kc.realm.realm} (enabled)\n`;
  for (const u of kc.users) out += `  ${s.green('+')} user ${u.user.username}${u.user.email ? ` <${u.user.email}>` : ''}: password from SSM SecureString ${u.password.parameterName}, ${u.password.set === 'at-creation' ? 'set at creation only' : 'reset on every run'}\n`;
  for (const c of kc.clientScopes) {
    out += `  ${s.green('+')} client scope ${s.bold(c.scope.name)}: realm type ${c.type}, include in token scope ${c.scope.attributes['include.in.token.scope']}\n`;
    if (c.audienceMapper) {
      const cfg = c.audienceMapper.config;
      const where = [['access token', 'access.token.claim'], ['introspection', 'introspection.token.claim'], ['ID token', 'id.token.claim'], ['lightweight token', 'lightweight.claim']].filter(([, k]) => cfg[k!] === 'true').map(([label]) => label!);
      out += `    ${s.green('+')} audience mapper ${c.audienceMapper.name}: aud "${cfg['included.custom.audience']}" in ${list(where)}\n`;
    }
  }
  for (const p of kc.clientProfiles.profiles) {
    out += `  ${s.green('+')} client profile ${s.bold(p.name)}: ${p.executors.map((e) => e.executor).join(', ')}\n`;
    for (const e of p.executors) {
      const cfg = Object.entries(e.configuration).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : v}`);
      if (cfg.length) out += `      ${e.executor}: ${cfg.join(' ')}\n`;
    }
  }
  for (const p of kc.clientPolicies.policies) {
    const when = p.conditions.map((c) => `${c.condition}(${Object.entries(c.configuration).filter(([k]) => k !== 'is-negative-logic').map(([, v]) => (Array.isArray(v) ? v.join('|') : v)).join('; ')})`);
    out += `  ${s.green('+')} client policy ${s.bold(p.name)} (enabled): when ${when.join(' and ')} use ${p.profiles.join(', ')}\n`;
  }
  if (kc.canaryClient) {
    const c = kc.canaryClient.client;
    out += `  ${s.green('+')} client ${s.bold(c.clientId)}: confidential, client credentials only (verification's canary), default scopes ${list(c.defaultClientScopes)}, secret from SSM SecureString ${kc.canaryClient.secret.parameterName}, set at creation\n`;
  }
  out += `  ${s.green('+')} ownership record ${kc.ownershipRecord.attribute} (a realm attribute): what keygate created, so that it never deletes anything else\n`;
  const w = kc.workarounds.kc49456;
  out += `  ${w.active ? s.yellow('~') : s.dim('-')} keycloak/keycloak#49456 workaround ${w.active ? 'on' : 'off'} (${w.reason})${w.additions.length ? `: ${w.additions.map((a) => `${a.policy} also uses ${a.profile}`).join('; ')}` : ''}\n`;
  return out;
}
