import type { DesiredToolCall } from '../desired/verify';
import { eraOf } from '../gateway/mcp-versions';
import { TOOL_NAME_SEPARATOR, type ChainExpectations } from './expectations';
import { describeObservation, unreachableFix, UNREACHABLE_DIAGNOSIS, type HttpObservation } from './observation';
import { parseWwwAuthenticate } from './protected-resource';
import { checksFor, type Check } from './report';

const mcp = checksFor('mcp');
const denied = checksFor('denied');

/** What the MCP client saw for `initialize` + `tools/list`. */
export type ToolListOutcome =
  | { ok: true; tools: string[]; server?: string; protocolVersion?: string }
  | { ok: false; error: string; status?: number; challenge?: string; unreachable?: boolean };

/** What the MCP client saw for one `tools/call`. */
export type ToolCallOutcome = { ok: true; isError: boolean; text: string } | { ok: false; error: string };

/**
 * Judges the allowed call: `initialize` + `tools/list` with the canary token succeeded, every
 * declared target contributes tools, and every expected tool is listed.
 *
 * @example
 * checkToolList({ ok: true, tools: ['my-mcp-server___add_numbers'] }, expect).map((c) => c.status) // ['pass', 'pass', 'skip']
 */
export function checkToolList(outcome: ToolListOutcome, expect: ChainExpectations, version?: string): Check[] {
  const spoken = version ? ` in MCP ${version}` : '';
  if (!outcome.ok) {
    const skips = [mcp.skip('targets', 'not checked: tools/list failed'), mcp.skip('expected-tools', 'not checked: tools/list failed')];
    if (version && versionRefused(outcome)) {
      return [
        mcp.fail('tools-list', `the gateway does not speak MCP ${version}: ${outcome.error}`, `the deployed gateway's protocolConfiguration.mcp.supportedVersions lacks ${version}: run provisioning (it sets gateway.protocol.supportedVersions), or remove ${version} from the document`, {
          diagnosis: 'mcp-version-refused',
          observed: { status: outcome.status ?? null, requested: version },
        }),
        ...skips,
      ];
    }
    if (outcome.unreachable) return [mcp.fail('tools-list', `the gateway could not be reached: ${outcome.error}`, unreachableFix(expect.gatewayUrl ?? ''), { diagnosis: UNREACHABLE_DIAGNOSIS }), ...skips];
    const error = outcome.challenge ? parseWwwAuthenticate(outcome.challenge)?.params.error : undefined;
    const rejected = outcome.status === 401 || outcome.status === 403;
    const fix =
      error === 'insufficient_scope'
        ? `the gateway wants scopes the token lacks: compare gateway.authorizer.allowedScopes with the token.scope check`
        : rejected
          ? 'the gateway rejected the canary token: the token.* checks above name the claim it disagrees with (iss, aud, scope, client_id)'
          : 'check the gateway status (READY) and its targets';
    return [
      mcp.fail('tools-list', rejected ? `initialize with the canary token got ${outcome.status}${error ? ` ${error}` : ''}` : `initialize/tools/list with the canary token failed${outcome.status ? ` with ${outcome.status}` : ''}: ${outcome.error}`, fix, {
        diagnosis: rejected ? 'token-rejected-by-gateway' : 'mcp-call-failed',
        observed: { status: outcome.status ?? null, ...(outcome.challenge ? { 'www-authenticate': outcome.challenge } : {}) },
      }),
      ...skips,
    ];
  }
  if (version && outcome.protocolVersion && outcome.protocolVersion !== version) {
    return [
      mcp.fail('tools-list', `asked for MCP ${version}, the gateway answered ${outcome.protocolVersion}`, `the deployed gateway's supportedVersions lacks ${version}: run provisioning, or remove ${version} from gateway.protocol.supportedVersions`, { diagnosis: 'mcp-version-refused', observed: { requested: version, negotiated: outcome.protocolVersion } }),
      mcp.skip('targets', 'not checked: another protocol version was negotiated'),
      mcp.skip('expected-tools', 'not checked: another protocol version was negotiated'),
    ];
  }
  const tools = outcome.tools;
  const byTarget = expect.targets.map((t) => [t, tools.filter((n) => n.startsWith(`${t}${TOOL_NAME_SEPARATOR}`))] as const);
  const empty = byTarget.filter(([, list]) => list.length === 0).map(([t]) => t);
  const missing = expect.expectedTools.filter((t) => !tools.includes(t));
  return [
    mcp.pass('tools-list', `${version && eraOf(version) === 'modern' ? 'server/discover' : 'initialize'} + tools/list${spoken} with the canary token returned ${tools.length} tool${tools.length === 1 ? '' : 's'}${outcome.server ? ` from ${outcome.server}` : ''}`, '', { observed: { tools, ...(outcome.protocolVersion ? { protocolVersion: outcome.protocolVersion } : {}) } }),
    empty.length
      ? mcp.fail('targets', `no tools listed for target${empty.length === 1 ? '' : 's'} ${empty.join(', ')} (tools are named <target>${TOOL_NAME_SEPARATOR}<tool>)`, `check that ${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} READY and that the MCP server answers tools/list (updating the target re-synchronizes its tools)`, { diagnosis: 'target-tools-missing' })
      : mcp.pass('targets', byTarget.map(([t, list]) => `${t}: ${list.length}`).join(', ')),
    !expect.expectedTools.length
      ? mcp.skip('expected-tools', 'verify.expectedTools is empty')
      : missing.length
        ? mcp.fail('expected-tools', `not listed: ${missing.join(', ')}`, 'check the MCP servers behind the targets, or correct verify.expectedTools', { diagnosis: 'expected-tool-missing', observed: { missing } })
        : mcp.pass('expected-tools', `all ${expect.expectedTools.length} expected tools are listed`),
  ];
}

/** The SDK's words when the peer does not speak the version asked for (legacy: "not supported"; 2026-07-28: -32022 / UnsupportedProtocolVersion). */
function versionRefused(outcome: { error: string; status?: number }): boolean {
  return /protocol version|-32022|UnsupportedProtocolVersion/i.test(outcome.error);
}

/**
 * Judges one configured tool call (`verify.toolCalls[]`): no error result, and the expected text.
 *
 * @example
 * checkToolCall({ tool: 'gw___add_numbers', arguments: { a: 2, b: 3 }, expectText: '5' }, { ok: true, isError: false, text: '5' }).status // 'pass'
 */
export function checkToolCall(call: DesiredToolCall, outcome: ToolCallOutcome): Check {
  const id = `call.${call.tool}`;
  const args = JSON.stringify(call.arguments);
  if (!outcome.ok) return mcp.fail(id, `${call.tool}(${args}) failed: ${outcome.error}`, 'check the tool name (as tools/list shows it) and its arguments', { diagnosis: 'tool-call-failed' });
  const text = outcome.text.length > 200 ? `${outcome.text.slice(0, 200)}…` : outcome.text;
  if (outcome.isError) return mcp.fail(id, `${call.tool}(${args}) returned an error result: ${text}`, 'check the MCP server behind the target', { diagnosis: 'tool-call-error' });
  if (call.expectText !== undefined && !outcome.text.includes(call.expectText)) {
    return mcp.fail(id, `${call.tool}(${args}) returned ${JSON.stringify(text)}, without ${JSON.stringify(call.expectText)}`, 'check the MCP server behind the target, or correct verify.toolCalls[].expectText', { diagnosis: 'tool-result-unexpected' });
  }
  return mcp.pass(id, `${call.tool}(${args}) returned ${JSON.stringify(text)}`);
}

/** Claims of the deliberately under-scoped token, as the adapter saw them (never the token). */
export interface DeniedScopeToken {
  /** Scope the token request asked for (`verify.deniedScope`, or none after an invalid_scope). */
  requested: string | undefined;
  scope: unknown;
}

/**
 * Judges the negative test of the seed (`mcp:fail`): a token without the gateway's scopes must be
 * refused with 401 or 403. oidc-provider drops unknown scopes silently and Keycloak may refuse
 * them, so the token's own scope claim is what proves the test means something.
 *
 * @example
 * checkDeniedScope({ requested: 'mcp:fail', scope: undefined }, obs403, expect).status // 'pass'
 */
export function checkDeniedScope(token: DeniedScopeToken, obs: HttpObservation, expect: ChainExpectations): Check {
  const granted = typeof token.scope === 'string' ? token.scope.split(' ') : [];
  const leaked = expect.scopes.filter((s) => granted.includes(s));
  const asked = token.requested ? `scope "${token.requested}"` : 'no scope';
  if (leaked.length) {
    return denied.warn('scope', `a token requested with ${asked} still carries ${leaked.join(', ')}, so the gateway's scope check cannot be tested`, `make ${leaked.join(', ')} an optional (not default) client scope of ${expect.canaryClientId ?? 'the canary client'}`, { diagnosis: 'denied-scope-granted', observed: { scope: token.scope } });
  }
  if (obs.kind === 'unreachable') return denied.fail('scope', describeObservation(obs), unreachableFix(obs.url), { diagnosis: UNREACHABLE_DIAGNOSIS });
  const challenge = obs.headers['www-authenticate'];
  const error = challenge ? parseWwwAuthenticate(challenge)?.params.error : undefined;
  const observed = { status: obs.status, scope: token.scope ?? null, ...(error ? { error } : {}) };
  if (obs.status === 401 || obs.status === 403) {
    return denied.pass('scope', `a token requested with ${asked} (scope claim ${JSON.stringify(token.scope ?? null)}) got ${obs.status}${error ? ` ${error}` : ''}`, '', { observed });
  }
  if (obs.status >= 200 && obs.status < 300) {
    return denied.fail('scope', `a token without ${expect.scopes.join(', ')} was accepted (${obs.status})`, 'set gateway.authorizer.allowedScopes: the gateway accepts any token of the realm', { diagnosis: 'scope-not-enforced', observed });
  }
  return denied.fail('scope', `a token without the required scope got ${obs.status}, not 401/403`, `check that ${obs.url} is the gateway's MCP URL`, { diagnosis: 'unexpected-status', observed });
}

/**
 * Judges the query-string probe: a valid token sent as `?access_token=` (and no header) must get 401
 * (MCP 2025-11-25: tokens only in the Authorization header, never in the URI).
 *
 * @example
 * checkQueryToken(obs401).status // 'pass'
 */
export function checkQueryToken(obs: HttpObservation): Check {
  if (obs.kind === 'unreachable') return denied.fail('query-token', describeObservation(obs), unreachableFix(obs.url), { diagnosis: UNREACHABLE_DIAGNOSIS });
  const observed = { status: obs.status };
  if (obs.status === 401) return denied.pass('query-token', 'a valid token in the query string (access_token=…) got 401', '', { observed });
  if (obs.status >= 200 && obs.status < 300) {
    return denied.fail('query-token', `a valid token in the query string was accepted (${obs.status}): tokens in URLs end up in access logs and browser history`, 'refuse access_token in the query: only the Authorization header may carry the token (check any proxy in front of the gateway)', { diagnosis: 'query-token-accepted', observed });
  }
  return denied.warn('query-token', `a token in the query string got ${obs.status}, not 401`, 'a missing token should get 401 with a Bearer challenge', { diagnosis: 'unexpected-status', observed });
}
