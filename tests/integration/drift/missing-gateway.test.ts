import { readFileSync, writeFileSync } from 'node:fs';
import { KEYGATE_HANDLERS } from '../../../emulators/stepfunctions/handlers';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import { RUN_PROVISIONING } from '../../../functions/core/drift/report';
import { reportOf, startDriftWorld, type DriftWorld } from '../../support/drift';
import { enteredStates } from '../../support/provisioning';
import { seedDesired } from '../../support/seed';

// After a successful teardown the drift schedule keeps running (the seed says drift.mode: repair).
// Drift repair never creates a gateway, nor targets under a missing gateway, nor its policy: that is
// provisioning's job. It reports the missing gateway as one item, in report and repair mode alike, and
// still repairs what does not depend on the gateway (the Keycloak realm, the CIMD document).

let w: DriftWorld;
const GATEWAY = 'mcp-gateway-keycloak-demo';
const CIMD_PATH = '/opt/cimd/public/oauth/client-metadata.json';
const mutating = () => w.local.agentcore.callLog({ mutating: true }).map((c) => c.op);
const policy = (name: string) => w.realm().policies.find((p) => p.name === name)!;
const metric = (name: string) => w.lines.filter((l) => l._aws && name in l).map((l) => l[name]);

beforeAll(async () => {
  w = await startDriftWorld();
  expect((await w.provision()).status).toBe('SUCCEEDED');
  const teardown = await w.local.run('teardown', { document: w.document });
  expect(teardown).toMatchObject({ status: 'SUCCEEDED', output: { gateway: 'deleted' } });
  expect(w.local.agentcore.state().gateways).toEqual([]);
});
afterAll(() => w.close());

describe('a drift run after a successful teardown', () => {
  it('a scheduled run in repair mode reports the missing gateway as one item and creates nothing', async () => {
    // Prepare
    w.local.agentcore.resetCalls();
    const messages = w.local.sns.messages.length;
    // Act
    const run = await w.drift({ trigger: 'schedule' });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const report = reportOf(run);
    expect(report).toMatchObject({ mode: 'repair', outcome: 'needs-provisioning', counts: { drift: 1, repaired: 0 } });
    expect(report.items).toEqual([
      {
        id: `gateway/${GATEWAY}#(exists)`,
        area: 'gateway',
        resource: `gateway/${GATEWAY}`,
        field: '(exists)',
        expected: true,
        actual: null,
        change: expect.objectContaining({ action: 'create', kind: 'gateway', reason: 'missing', summary: RUN_PROVISIONING, by: 'provisioning' }),
      },
    ]);
    expect(w.local.agentcore.state().gateways).toEqual([]);
    expect(mutating()).toEqual([]);
    expect(enteredStates(run)).not.toContain('Repair');
    // The alarm on DriftItems fires (a missing gateway is drift until provisioning runs), RepairFailed does not.
    expect(metric('DriftItems').at(-1)).toBe(1);
    expect(metric('RepairFailed').at(-1)).toBe(0);
    const sent = w.local.sns.messages.slice(messages);
    expect(sent.map((m) => m.subject)).toEqual([`keygate drift: gateway ${GATEWAY} missing, run provisioning`]);
    expect(sent[0]!.message).toContain(`repair    ${RUN_PROVISIONING}: drift repair does not do this`);
    expect(sent[0]!.message).toContain('Result: the gateway does not exist: run provisioning');
  });

  it('report mode says the same', async () => {
    w.local.agentcore.resetCalls();
    const run = await w.drift({ mode: 'report' });
    expect(reportOf(run)).toMatchObject({ mode: 'report', outcome: 'needs-provisioning', counts: { drift: 1, repaired: 0 } });
    expect(reportOf(run).items.map((i) => i.id)).toEqual([`gateway/${GATEWAY}#(exists)`]);
    expect(mutating()).toEqual([]);
  });

  it('repair mode still repairs the Keycloak realm and the CIMD document, which do not depend on the gateway', async () => {
    // Prepare
    policy('oauth-2-1-public-client-policy').enabled = false;
    const file = w.local.hostFile(CIMD_PATH);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), client_name: 'Edited by hand' }));
    w.local.agentcore.resetCalls();
    // Act
    const run = await w.drift({ mode: 'repair' });
    // Assess
    expect(run.error).toBeUndefined();
    const report = reportOf(run);
    expect(report.items.map((i) => [i.resource, i.field])).toEqual([
      [`gateway/${GATEWAY}`, '(exists)'],
      ['keycloak/client-policy/oauth-2-1-public-client-policy', 'enabled'],
      ['cimd/https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json', 'client_name'],
    ]);
    expect(report).toMatchObject({ outcome: 'needs-provisioning', counts: { drift: 3, repaired: 2 } });
    expect(enteredStates(run).filter((s) => s === 'Observe')).toHaveLength(2);
    expect(enteredStates(run)).not.toContain('Repair Gateway');
    expect(policy('oauth-2-1-public-client-policy').enabled).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(renderCimdDocument(seedDesired().cimd!).text);
    expect(w.local.agentcore.state().gateways).toEqual([]);
    expect(mutating()).toEqual([]);
  });

  it('provisioning brings the gateway back, and the next drift run is clean', async () => {
    expect((await w.provision()).status).toBe('SUCCEEDED');
    const run = await w.drift({ mode: 'repair' });
    expect(reportOf(run)).toMatchObject({ outcome: 'clean', items: [] });
  });

  it('a gateway that vanishes between the observation and the repair is not recreated: the repair fails naming it', async () => {
    // Prepare: the audience drifted; the gateway (with its targets) is deleted right after it was observed.
    const config = structuredClone(w.gateway().authorizerConfiguration) as { customJWTAuthorizer: { allowedAudience: string[] } };
    config.customJWTAuthorizer.allowedAudience = ['mcp-gateway-demo', 'account'];
    w.local.agentcore.editGateway(GATEWAY, { authorizerConfiguration: config });
    const observeThenDelete = async (event: unknown, context: never) => {
      const observed = await (KEYGATE_HANDLERS.ObserveGatewayDriftFunctionArn as (e: unknown, c: never) => Promise<unknown>)(event, context);
      if (w.local.agentcore.state().gateways.length) w.local.agentcore.removeGateway(GATEWAY);
      return observed;
    };
    w.local.agentcore.resetCalls();
    // Act
    const run = await w.drift({ mode: 'repair' }, { overrides: { handlers: { ...KEYGATE_HANDLERS, ObserveGatewayDriftFunctionArn: observeThenDelete } } });
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'GatewayMissingError' });
    expect(run.cause).toContain('drift repair never creates a gateway');
    expect(w.local.agentcore.state().gateways).toEqual([]);
    expect(mutating()).toEqual([]);
  });
});
