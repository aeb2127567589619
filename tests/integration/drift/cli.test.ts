import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STACK } from '../../../emulators/world';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import type { DriftReport } from '../../../functions/core/drift/report';
import { runCli } from '../../support/cli';
import { startDriftWorld, type DriftWorld } from '../../support/drift';
import { fromRoot } from '../../support/paths';
import { seedDesired } from '../../support/seed';

// `keygate drift` from an operator's machine: what the state machine observes, planned by the same code,
// with the operator's credentials, here against the local world's emulators through the SDK's
// endpoint variables. Read-only: one SSM command, no write anywhere.

let w: DriftWorld;
let files: Record<string, string>;
const args = () => ['drift', '--config', 'live.json', '--stack', STACK.owner, '--command-document', STACK.commandDocument, '--gateway-role-arn', w.local.env.GATEWAY_ROLE_ARN!];
const env = () => ({ AWS_REGION: STACK.region });

beforeAll(async () => {
  w = await startDriftWorld();
  expect((await w.provision()).status).toBe('SUCCEEDED');
  files = { 'live.json': JSON.stringify(w.document) };
});
afterAll(() => w.close());

describe('keygate drift', () => {
  it('exits 0 with "no drift" on a converged system, reading only', async () => {
    w.local.agentcore.resetCalls();
    const writes = w.local.keycloak.writes().length;
    const out = await runCli(args(), { files, env: env() });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^keygate drift report: gateway mcp-gateway-keycloak-demo, realm mcp-demo, mode report\n/);
    expect(out.stdout).toContain('Result: no drift (0 drift items, 0 repaired, 0 unmanaged)');
    expect(w.local.agentcore.callLog({ mutating: true })).toEqual([]);
    expect(w.local.keycloak.writes().length).toBe(writes);
  });

  it('prints each drift item with resource, field, expected, found and the repair, and exits 1', async () => {
    // Prepare
    w.realm().policies.find((p) => p.name === 'oauth-2-1-public-client-policy')!.enabled = false;
    w.local.agentcore.setPolicy('mcp-gateway-keycloak-demo', undefined);
    // Act
    const text = await runCli(args(), { files, env: env() });
    const json = await runCli([...args(), '--json'], { files, env: env() });
    // Assess
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(['DRIFT  keycloak/client-policy/oauth-2-1-public-client-policy  enabled', '       expected  true', '       found     false'].join('\n'));
    expect(text.stdout).toMatch(/DRIFT {2}resource-policy\/mcp-gateway-keycloak-demo {2}policy\n {7}expected {2}\{"Version":"2012-10-17".*\n {7}found {5}\(none\)\n {7}repair {4}create resource-policy mcp-gateway-keycloak-demo \(missing\) via PutResourcePolicy \(Apply Resource Policy\)/);
    expect(text.stdout).toContain('Result: drift found (report mode: nothing changed) (2 drift items, 0 repaired, 0 unmanaged)');
    const report = JSON.parse(json.stdout) as DriftReport;
    expect(report.items.map((i) => [i.resource, i.field, i.actual])).toEqual([
      ['resource-policy/mcp-gateway-keycloak-demo', 'policy', null],
      ['keycloak/client-policy/oauth-2-1-public-client-policy', 'enabled', false],
    ]);
    // The state machine's report of the same drift has the same items.
    const run = await w.drift({ mode: 'report' });
    expect((run.output as DriftReport).items).toEqual(report.items);
  });

  it('observes the CIMD document on the host in its one SSM command, and reports its drift as the state machine does', async () => {
    // Prepare
    const path = w.document.cimd.publish.host.path as string;
    const sendCommands = () => w.local.ssm.calls.filter((c) => c.operation === 'SendCommand').length;
    writeFileSync(w.local.hostFile(path), JSON.stringify({ ...JSON.parse(readFileSync(w.local.hostFile(path), 'utf8')), client_name: 'Edited by hand' }));
    const before = sendCommands();
    // Act
    const out = await runCli([...args(), '--json'], { files, env: env() });
    // Assess
    expect(sendCommands() - before).toBe(1);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as DriftReport;
    expect(report.notObserved).toEqual([]);
    expect(report.items.filter((i) => i.area === 'cimd').map((i) => [i.resource, i.field, i.expected, i.actual])).toEqual([
      [`cimd/${w.document.cimd.url}`, 'client_name', 'MCP Inspector AWS CIMD Client', 'Edited by hand'],
    ]);
    const run = await w.drift({ mode: 'report' });
    expect((run.output as DriftReport).items).toEqual(report.items);
    writeFileSync(w.local.hostFile(path), renderCimdDocument(seedDesired().cimd!).text);
  });

  it('names a missing flag and how to find its value, exit 2', async () => {
    const out = await runCli(['drift', '--config', 'live.json', '--stack', STACK.owner], { files, env: env() });
    expect(out).toMatchObject({ code: 2, stdout: '' });
    expect(out.stderr).toBe('keygate drift: missing --command-document NAME (stack output KeycloakCommandDocumentName)\n');
    // The seed sets no gateway.roleArn (its stack creates the role): the flag is required then.
    const noRole = await runCli(args().slice(0, -2), { files, env: env() });
    expect(noRole).toMatchObject({ code: 2, stdout: '' });
    expect(noRole.stderr).toMatch(/^keygate drift: missing --gateway-role-arn ARN \(stack output GatewayRoleArn\)/);
  });

  it('names a Keycloak host SSM cannot reach (another region, an agent offline) in one line with the fix, exit 70', async () => {
    const elsewhere = { 'elsewhere.json': files['live.json']!.replace(w.document.keycloak.instanceId, 'i-0fedcba9876543210') };
    const out = await runCli([...args().map((a) => (a === 'live.json' ? 'elsewhere.json' : a)), '--json'], { files: elsewhere, env: env() });
    expect(out.code).toBe(70);
    expect(out.stderr).toMatch(
      new RegExp(
        `^keygate drift: AWS SSM SendCommand in ${STACK.region} \\(http://127\\.0\\.0\\.1:\\d+\\): the Keycloak host is not an SSM managed instance online there \\(document ${STACK.commandDocument}, instance i-0fedcba9876543210\\): InvalidInstanceId: .*\\. ` +
          `Fix: check that ${STACK.region} is the stack's region \\(AWS_REGION, or the region of the profile AWS_PROFILE names\\); check keycloak\\.instanceId, and on the host that the SSM agent runs`,
      ),
    );
    expect(out.stderr.split('\n')).toHaveLength(2);
    expect(JSON.parse(out.stdout)).toMatchObject({ format: 'keygate.error/1', ok: false, aws: { kind: 'not-found', operation: 'SendCommand' } });
  });

  it('runs as the bundled CLI (node bin/keygate.cjs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-drift-'));
    writeFileSync(join(dir, 'live.json'), files['live.json']!);
    const result = await promisify(execFile)('node', [fromRoot('bin', 'keygate.cjs'), ...args().map((a) => (a === 'live.json' ? join(dir, 'live.json') : a)), '--json'], { env: { ...process.env, ...w.local.env } }).catch((e: { code: number; stdout: string }) => e);
    expect((result as { code?: number }).code).toBe(1);
    expect(JSON.parse(result.stdout).format).toBe('keygate.drift-report/1');
  });
});
