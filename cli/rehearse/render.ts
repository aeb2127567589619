import { showValue } from '../../functions/core/drift/render';
import { formatReport } from '../commands/verify';
import type { Style } from '../format';
import { seconds } from './progress';
import type { RehearsalResult } from './scenario';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What the rehearsal found, after the live progress: what was provisioned, the rotation, the drift
 * table, the last verification report, the failure (which step, why, the fix) and the summary.
 *
 * @example
 * io.stdout(renderResult(result, style));
 */
export function renderResult(result: RehearsalResult, style: Style): string {
  const out: string[] = [];
  const section = (title: string) => out.push('', style.bold(title));
  const row = (label: string, value: string) => out.push(`  ${label.padEnd(14)} ${value}`);

  if (result.provisioned) {
    const p = result.provisioned;
    section('Provisioned');
    row('gateway', `${p.gatewayId}  ${p.gatewayUrl}`);
    row('targets', p.targets.map((t) => `${t.name} (${t.targetId})`).join(', ') || 'none');
    row('policy', p.resourcePolicyAllows.length ? `allows InvokeGateway from ${p.resourcePolicyAllows.join(', ')} only` : 'none');
    const created = Object.entries(p.realm.created).map(([kind, n]) => `${kind} ${n}`).join(', ');
    row('Keycloak', `realm reconciliation ${p.realm.outcome}${created ? ` (created: ${created})` : ''}`);
    row('CIMD', p.cimd && p.cimd !== 'skipped' ? `document ${p.cimd}` : 'none published (the document publishes no CIMD document)');
  }

  if (result.login) {
    const l = result.login;
    const failed = l.checks.filter((c) => c.status === 'fail');
    section('Login (the MCP SDK client, Keycloak\'s login page in headless Chromium)');
    row('user', `${l.user} as client ${l.clientId}`);
    row('result', failed.length ? style.red(`failed at ${failed.map((c) => c.id).join(', ')}`) : `logged in, consented, token exchanged; ${l.checks.filter((c) => c.id.startsWith('login.mcp.call.') && c.status === 'pass').length} tool calls answered as expected`);
    row('screenshots', l.screenshots.join(', ') || 'none');
    row('requests', `${l.requests.total} HTTP requests in ${seconds(l.wallMs)}: ${l.requests.client} by the MCP client, ${l.requests.browser} by the browser, ${l.requests.keycloakToCimd} by Keycloak to the CIMD host`);
    row('browser', l.browser);
  }

  if (result.rotation) {
    const r = result.rotation;
    section('Resource policy rotation');
    row('endpoint', `${r.from} → ${r.to} (Parameter Store Change event)`);
    row('policies put', `${r.policies.map((p) => p.join(' + ')).join(`  → wait ${seconds(r.gracePeriodSeconds * 1000)} →  `)}`);
  }

  const drift = result.drift;
  if (drift?.report) {
    section('Drift: injected out of band, found in report mode, repaired in repair mode');
    const repaired = new Set((drift.repairReport?.items ?? []).map((i) => `${i.resource} ${i.field}`));
    const rows = drift.report.items.map((i) => [cut(i.resource, 56), cut(i.field, 36), end(showValue(i.expected), 34), end(showValue(i.actual), 34), repaired.has(`${i.resource} ${i.field}`) ? `yes: ${i.change.via.replace(/ \(.*$/, '')}` : 'no']);
    out.push(...table(['resource', 'field', 'expected', 'found', 'repaired'], rows).map((l) => `  ${l}`));
    const v = drift.reportModeVerification;
    out.push(
      '',
      `  found ${drift.found.length} of ${drift.injected.length} injected${drift.foundEqualsInjected ? '' : style.red(' (MISMATCH)')} · report mode wrote ${plural(drift.reportModeWrites, 'change')}` +
        ` · verification in report mode: ${v.outcome === 'fail' ? `failed on ${v.failedChecks.join(', ')}${v.expectedFailedChecks.length ? ' while the injected drift was live (expected)' : ''}` : v.outcome}` +
        ` · repair ${drift.repairConverged ? 'converged: observed again, no drift left' : style.red('did NOT converge')}`,
    );
  }

  if (result.verification) {
    section(result.drift?.repairReport ? 'Verification (after the repair)' : 'Verification');
    out.push(...formatReport(result.verification, result.config, style).trimEnd().split('\n').slice(3).map((l) => (l ? `  ${l}` : l)));
  }

  if (result.teardown) {
    section('Teardown');
    row('left in AWS', result.teardown.leftovers.join(', ') || 'nothing');
    if (result.teardown.keptByDesign.length) row('kept', result.teardown.keptByDesign.join('; '));
  }

  if (result.failure) {
    const f = result.failure;
    section(style.red(`FAILED in ${f.phase}`));
    row('step', f.step);
    row('error', f.error);
    out.push(...wrapped('why', f.why));
    out.push(...wrapped('fix', f.fix));
  }

  section('Summary');
  const c = result.counts;
  const ok = result.phases.filter((p) => p.status === 'succeeded').length;
  row('phases', result.phases.map((p) => `${p.name} ${p.status}`).join(', ') + ` (${ok} of ${result.phases.length} succeeded)`);
  const kc = result.keycloak;
  row('Keycloak', kc.kind === 'real' ? `real Keycloak ${kc.version} on loopback${kc.startMs !== undefined ? ` (started in ${seconds(kc.startMs)}, stopped at the end)` : ''}: its admin API, its tokens, keys and audiences` : 'the admin stand-in (emulators/keycloak; --keycloak real runs a real Keycloak 26.7.3)');
  // Why each skipped phase was skipped, once per reason.
  const skipped = new Map<string, string[]>();
  for (const p of result.phases.filter((x) => x.status === 'skipped')) skipped.set(p.note ?? '', [...(skipped.get(p.note ?? '') ?? []), p.name]);
  for (const [note, names] of skipped) row('skipped', `${names.join(', ')}: ${note || 'no reason given'}`);
  row('created', Object.entries(c.resourcesCreated).map(([k, n]) => `${k} ${n}`).join(', ') || 'nothing');
  row('API calls', `${c.apiCallsTotal}, by kind:`);
  for (const line of byService(c.apiCalls)) out.push(`  ${''.padEnd(14)}   ${line}`);
  row('transitions', `${c.stateTransitions} state transitions in ${plural(c.executions, 'execution')} (${c.lambdaInvocations} Lambda invocations)`);
  row('SSM commands', String(c.ssmCommands));
  row('verification', `${c.verificationRequests} HTTP requests to ${kc.kind === 'real' ? 'the gateway and the CIMD host (and Keycloak\'s own token and key endpoints)' : 'the realm, the gateway and the CIMD host'}`);
  row('time', `${seconds(result.time.wallMs)} wall; the executions would take ${seconds(result.time.emulatedMs)} against AWS (speed ×${result.speed}: the emulated service delays and the state machines' waits run ${result.speed} times faster)`);
  if (result.secrets) {
    const s = result.secrets;
    row('secrets', s.leaked ? style.red(`${s.leaked} secret value(s) leaked (redacted)`) : `none of the ${s.values} secret values in this output or in the functions' ${s.functionLogLines} log lines`);
  }
  row('cleanup', result.cleanup.leftovers.length ? style.red(result.cleanup.leftovers.join('; ')) : `${plural(result.cleanup.servers.length, 'server')} closed, ${plural(result.cleanup.temporaryDirectories.length, 'temporary directory').replace('directorys', 'directories')} removed`);
  out.push('', `Result: ${result.outcome === 'succeeded' ? style.green('rehearsal succeeded') : result.outcome === 'interrupted' ? style.yellow('interrupted (everything started was cleaned up)') : style.red('rehearsal FAILED')}`);
  return `${out.join('\n')}\n`;
}

/** API calls grouped by service, the busiest first: `bedrock-agentcore 120: GetGateway 40, …`. */
function byService(calls: Record<string, number>): string[] {
  const services = new Map<string, Array<[string, number]>>();
  for (const [key, n] of Object.entries(calls)) {
    const [service, op] = key.split(':') as [string, string];
    services.set(service, [...(services.get(service) ?? []), [op, n]]);
  }
  return [...services.entries()]
    .map(([service, ops]) => [service, ops.sort((a, b) => b[1] - a[1]), ops.reduce((n, [, k]) => n + k, 0)] as const)
    .sort((a, b) => b[2] - a[2])
    .map(([service, ops, total]) => `${SERVICE_NOTES[service] ? `${service} ${total} (${SERVICE_NOTES[service]})` : `${service} ${total}`}: ${ops.map(([op, n]) => `${op} ${n}`).join(', ')}`);
}

const SERVICE_NOTES: Record<string, string> = {
  'keycloak-admin': "by the host executor, on the Keycloak host's loopback, inside the SSM commands",
};

const end = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);

/** Cut to `width` characters with an ellipsis in the middle (both ends of an id say the most). */
function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

/** A plain text table: a header, a rule, the rows; columns as wide as their widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)];
}

function wrapped(label: string, text: string): string[] {
  const [first, ...rest] = text.split('\n');
  return [`  ${label.padEnd(14)} ${first}`, ...rest.map((l) => `  ${''.padEnd(14)} ${l}`)];
}
