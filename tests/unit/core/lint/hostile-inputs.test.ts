import { DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../../../functions/core/desired/cimd';
import { hasUnsafeChars } from '../../../../functions/core/display';
import { lintDesiredState } from '../../../../functions/core/lint';
import { describeSchedule, parseSchedule } from '../../../../functions/core/lint/schedule';
import { HOSTILE_INPUTS } from '../../../support/hostile-inputs';
import { seedWith } from '../../../support/seed';

const STACK = { cimdPublishDirectory: DEFAULT_CIMD_PUBLISH_DIRECTORY };

describe('hostile inputs: each an error naming the field, with a fix, and no message repeating what it must not', () => {
  it.each(HOSTILE_INPUTS.map((h) => [h.name, h] as const))('%s', (_, h) => {
    // Act
    const findings = lintDesiredState(seedWith(h.edit), STACK);
    // Assess
    const finding = findings.find((f) => f.ruleId === h.rule && f.path === h.path);
    expect(finding).toMatchObject({ severity: 'error', fix: expect.stringMatching(/\S{3}/) });
    for (const f of findings) {
      expect([f.ruleId, hasUnsafeChars(`${f.path} ${f.message} ${f.fix}`)]).toEqual([f.ruleId, false]);
      expect(`${f.message} ${f.fix}`).not.toContain('hunter2');
    }
  });

  it('the seed and its valid variants pass the new rules', () => {
    const ok = [
      (r: Record<string, any>) => {
        r.keycloak.realm.name = 'customer.tenant-1_a';
        r.gateway.authorizer.discoveryUrl = 'https://auth.agentcore-keycloak-example.com/realms/customer.tenant-1_a/.well-known/openid-configuration';
      },
      (r: Record<string, any>) => (r.keycloak.realm.users[0].username = 'alice.smith@example.com'),
      (r: Record<string, any>) => (r.keycloak.realm.users[0].email = "o'neil+mcp@sub.example.co.jp"),
      (r: Record<string, any>) => (r.cimd.document.redirect_uris = ['com.example.inspector:/oauth/callback', 'http://127.0.0.1/oauth/callback']),
      (r: Record<string, any>) => (r.drift.schedule = 'cron(0/15 * * * ? *)'),
      (r: Record<string, any>) => (r.drift.schedule = 'at(2027-02-28T23:59:59)'),
      (r: Record<string, any>) => (r.keycloak.realm.clientScopes[0].description = 'tools\nfor the gateway\ttabbed'),
      (r: Record<string, any>) => {
        r.keycloak.realm.name = 'master';
        r.gateway.authorizer.discoveryUrl = 'https://auth.agentcore-keycloak-example.com/realms/master/.well-known/openid-configuration';
        r.keycloak.realm.allowAdminRealm = true;
      },
    ];
    for (const edit of ok) expect(lintDesiredState(seedWith(edit), STACK).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('escapes what it quotes: a realm name with an escape sequence is shown as \\u001b', () => {
    const finding = lintDesiredState(seedWith((r) => (r.keycloak.realm.name = 'mcp\u001b[2Jdemo')), STACK).find((f) => f.ruleId === 'realm-name-invalid')!;
    expect(finding.message).toContain('"mcp\\\\u001b[2Jdemo"');
  });
});

describe('EventBridge Scheduler expressions', () => {
  it.each([
    ['rate(15 minutes)', 2880],
    ['rate(1 minute)', 43_200],
    ['rate(1 hour)', 720],
    ['rate(2 days)', 15],
    ['cron(0/15 * * * ? *)', 2880],
    ['cron(0 8 ? * MON-FRI *)', (5 / 7) * 30],
    ['cron(0,30 9-17 * * ? *)', 2 * 9 * 30],
    ['cron(0 12 1 JAN,JUL ? *)', 2 / 12],
    ['cron(0 6 L * ? 2027)', 1],
    ['at(2027-01-31T06:00:00)', 0],
  ])('%s runs about %d times a month', (expression, runs) => {
    expect(parseSchedule(expression)).toEqual({ kind: expression.slice(0, expression.indexOf('(')), expression, runsPerMonth: expect.closeTo(runs, 6) });
  });

  it.each([
    ['rate(0 minutes)', /positive whole value/],
    ['rate(1 minutes)', /singular unit for 1: rate\(1 minute\)/],
    ['rate(5 minute)', /plural unit for 5: rate\(5 minutes\)/],
    ['rate(5 weeks)', /unit "weeks"/],
    ['rate(5  minutes)', /one space/],
    ['cron(* * * * *)', /5 fields/],
    ['cron(0 * * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 * ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(60 * * * ? *)', /"60" as its minutes/],
    ['cron(0 24 * * ? *)', /"24" as its hours/],
    ['cron(0 0 * 13 ? *)', /"13" as its month/],
    ['cron(0 0 ? * FUNDAY *)', /"FUNDAY" as its day-of-week/],
    ['cron(0 0 * * ? 1969)', /"1969" as its year/],
    ['at(2027-02-30T00:00:00)', /does not exist/],
    ['at(2027-02-01 00:00:00)', /at\(yyyy-mm-ddThh:mm:ss\)/],
    ['rate(15 minutes) ', /is not rate/],
    ['every 15 minutes', /is not rate/],
  ])('refuses %j', (expression, problem) => {
    expect(parseSchedule(expression)).toEqual({ problem: expect.stringMatching(problem) });
  });

  it('prices a frequent schedule by its state transitions', () => {
    expect(describeSchedule({ kind: 'rate', expression: 'rate(1 minute)', runsPerMonth: 43_200 })).toBe(
      'runs drift detection about 43,200 times a month: about 1,036,800 state transitions (24 per run without drift), USD 25.92 a month at USD 0.025 per 1,000 transitions (us-east-1), before Lambda, SSM polls and a repair\'s own runs',
    );
  });
});

describe("Keycloak's built-ins", () => {
  it('every scope and client a new realm of the stand-in has is in the lists lint refuses', async () => {
    const { newRealm } = await import('../../../../emulators/keycloak/state');
    const { BUILTIN_CLIENT_SCOPES, BUILTIN_CLIENTS } = await import('../../../../functions/core/keycloak/builtins');
    const realm = newRealm('x', true);
    expect(realm.clientScopes.map((s) => s.name).filter((n) => !BUILTIN_CLIENT_SCOPES.includes(n))).toEqual([]);
    expect(realm.clients.map((c) => c.clientId).filter((n) => !BUILTIN_CLIENTS.includes(n))).toEqual([]);
  });
});
