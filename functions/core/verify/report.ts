import type { Diagnosis } from './diagnoses';

/** Result of one check. `skip` means it could not run (a prerequisite failed or is not configured). */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** The sections of a report, in the order the chain is walked. */
export type CheckGroup = 'authorization-server' | 'protected-resource' | 'token' | 'mcp' | 'denied' | 'cimd' | 'login';

export interface Check {
  /** Stable id, `<group>.<name>`, for example `token.audience`. */
  id: string;
  group: CheckGroup;
  status: CheckStatus;
  /** What was observed, in one or two sentences. Never a token or a secret. */
  evidence: string;
  /** What to change; empty for a pass. */
  fix: string;
  /** A stable name for the cause when the check did not pass, for example `audience-mapper-missing` (see DIAGNOSES). */
  diagnosis?: Diagnosis;
  /** Small structured evidence (a claim subset, a status code, a list of names). */
  observed?: Record<string, unknown>;
  /** The MCP protocol version the check spoke (MCP calls and probes are made once per declared version). */
  mcpVersion?: string;
}

export type Outcome = 'pass' | 'warn' | 'fail';

export interface VerificationReport {
  /** Report format version. */
  version: 1;
  gatewayUrl?: string;
  issuer: string;
  startedAt: string;
  finishedAt: string;
  outcome: Outcome;
  /** Whether the run counts as failed under `verify.failOn`. */
  failed: boolean;
  summary: Record<CheckStatus, number>;
  checks: Check[];
}

export const GROUP_TITLES: Record<CheckGroup, string> = {
  'authorization-server': 'Authorization server',
  'protected-resource': 'Protected resource (the gateway)',
  token: 'Canary token',
  mcp: 'Allowed MCP calls',
  denied: 'Denied calls',
  cimd: 'CIMD document',
  login: 'User login (CIMD, authorization code, PKCE, a real browser)',
};

const GROUP_ORDER = Object.keys(GROUP_TITLES) as CheckGroup[];

/**
 * A check builder bound to one group, so check functions read as a list of outcomes.
 *
 * @example
 * checksFor('token').fail('audience', 'aud is "account"', 'add an audience mapper', { diagnosis: 'audience-mapper-missing' }).id // 'token.audience'
 */
export function checksFor(group: CheckGroup) {
  const make =
    (status: CheckStatus) =>
    (id: string, evidence: string, fix = '', extra: { diagnosis?: Diagnosis; observed?: Record<string, unknown> } = {}): Check => ({
      id: `${idPrefix(group)}.${id}`,
      group,
      status,
      evidence,
      fix,
      ...(extra.diagnosis ? { diagnosis: extra.diagnosis } : {}),
      ...(extra.observed ? { observed: extra.observed } : {}),
    });
  return { pass: make('pass'), fail: make('fail'), warn: make('warn'), skip: make('skip') };
}

/**
 * Ties checks to the MCP protocol version they spoke. With one declared version the ids stay as
 * they are (`mcp.tools-list`); with several, each version's ids get `@<version>`
 * (`mcp.tools-list@2026-07-28`), so every id stays unique and a failure names its version.
 *
 * @example
 * forMcpVersion([check], '2026-07-28', true)[0].id // 'mcp.tools-list@2026-07-28'
 */
export function forMcpVersion(checks: readonly Check[], version: string, several: boolean): Check[] {
  return checks.map((c) => ({ ...c, id: several ? `${c.id}@${version}` : c.id, evidence: several ? `[MCP ${version}] ${c.evidence}` : c.evidence, mcpVersion: version }));
}

function idPrefix(group: CheckGroup): string {
  return { 'authorization-server': 'as', 'protected-resource': 'rs', token: 'token', mcp: 'mcp', denied: 'denied', cimd: 'cimd', login: 'login' }[group];
}

/**
 * The worst status wins: any fail → fail, else any warn → warn, else pass (skips do not count).
 *
 * @example
 * outcomeOf([passCheck, warnCheck, skipCheck]) // 'warn'
 */
export function outcomeOf(checks: readonly Check[]): Outcome {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

/**
 * Whether a run fails under the configured policy: `fail` fails on a failed check, `warn` also on
 * a warning, `never` only reports.
 *
 * @example
 * isFailure('warn', 'fail') // false
 * isFailure('warn', 'warn') // true
 */
export function isFailure(outcome: Outcome, failOn: 'fail' | 'warn' | 'never'): boolean {
  if (failOn === 'never') return false;
  return outcome === 'fail' || (failOn === 'warn' && outcome === 'warn');
}

/**
 * Assembles the report: checks sorted by group (stable within a group), the summary counts and the
 * outcome under the fail policy.
 *
 * @example
 * buildReport({ issuer: 'https://kc/realms/r', checks: [], failOn: 'fail', startedAt: t, finishedAt: t }).outcome // 'pass'
 */
export function buildReport(input: {
  issuer: string;
  gatewayUrl?: string;
  checks: Check[];
  failOn: 'fail' | 'warn' | 'never';
  startedAt: Date;
  finishedAt: Date;
}): VerificationReport {
  const checks = [...input.checks].sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group));
  const summary: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  const outcome = outcomeOf(checks);
  return {
    version: 1,
    ...(input.gatewayUrl ? { gatewayUrl: input.gatewayUrl } : {}),
    issuer: input.issuer,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    outcome,
    failed: isFailure(outcome, input.failOn),
    summary,
    checks,
  };
}

/**
 * The checks that make a run fail under its policy (what an error message should list).
 *
 * @example
 * failingChecks(report, 'fail').map((c) => c.id) // ['token.audience', 'mcp.tools-list']
 */
export function failingChecks(report: VerificationReport, failOn: 'fail' | 'warn' | 'never'): Check[] {
  if (failOn === 'never') return [];
  return report.checks.filter((c) => c.status === 'fail' || (failOn === 'warn' && c.status === 'warn'));
}
