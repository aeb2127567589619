// `npm run bench:drift`: what one drift run costs, in API calls by kind, SSM commands and Step
// Functions state transitions (billed per transition), for a run without drift and a run with drift
// in every resource (gateway, target, resource policy, Keycloak mapper, CIMD profile, client policy, the
// published CIMD document),
// against the local world: the real drift.asl.json, handlers and SDK clients, the emulators, and the
// real host executor against the Keycloak stand-in. Counts, not timings: they are what AWS bills.
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../emulators/stepfunctions';
import { startWorld, type LocalWorld } from '../emulators/world';
import { parseDesiredStateText } from '../functions/core/desired/load';

const ROOT = join(__dirname, '..');
// Emulated service time runs SPEED times faster and the state machines' waits are divided alike, so
// polls per wait are what a deployment sees; the host executor runs in real time (a few hundred ms,
// i.e. a few seconds of a deployment's host at this speed).
const SPEED = 10;
const GATEWAY = 'mcp-gateway-keycloak-demo';

interface Cost {
  outcome: string;
  items: number;
  calls: Map<string, number>;
  mutating: number;
  lockWrites: number;
  ssmCommands: number;
  transitions: number;
  invocations: number;
  ms: number;
}

/** Every call every emulator saw, as `service:Operation` (Keycloak: the admin API method). */
function snapshotCalls(w: LocalWorld): string[] {
  return [
    ...w.agentcore.calls.map((c) => `bedrock-agentcore:${c.op}`),
    ...w.ssm.calls.map((c) => `ssm:${c.operation}`),
    ...w.stepfunctions.calls.map((c) => `states:${c.operation}`),
    ...w.dynamodb.calls.map((c) => `dynamodb:${c.operation}`),
    ...w.sns.calls.map((c) => `sns:${c.action}`),
    ...w.s3.calls.map((c) => `s3:${c.method}`),
    ...w.keycloak.callLog.filter((c) => c.path.startsWith('/admin/')).map((c) => `keycloak-admin:${c.method}`),
  ];
}

async function measure(w: LocalWorld, document: Record<string, any>, mode: 'report' | 'repair'): Promise<Cost> {
  const before = snapshotCalls(w);
  const mutatingBefore = w.agentcore.callLog({ mutating: true }).length + w.keycloak.writes().length;
  // No fixed poll intervals: the reconciler's SSM polls follow its Retry (2 s, ×1.5), time-scaled.
  const run: RunResult = await w.run('drift', { input: { desiredState: document, mode }, overrides: { retryIntervalOverrides: {} } });
  if (run.status !== 'SUCCEEDED') throw new Error(`${run.error}: ${run.cause}`);
  const after = snapshotCalls(w);
  // The emulators' logs only grow: the calls of this run are the tail.
  const calls = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const c of before) seen.set(c, (seen.get(c) ?? 0) + 1);
  for (const c of after) {
    if ((seen.get(c) ?? 0) > 0) seen.set(c, seen.get(c)! - 1);
    else calls.set(c, (calls.get(c) ?? 0) + 1);
  }
  const report = run.output as { outcome: string; counts: { drift: number } };
  return {
    outcome: report.outcome,
    items: report.counts.drift,
    calls,
    mutating: w.agentcore.callLog({ mutating: true }).length + w.keycloak.writes().length - mutatingBefore + (calls.get('ssm:PutParameter') ?? 0),
    lockWrites: (calls.get('dynamodb:PutItem') ?? 0) + (calls.get('dynamodb:DeleteItem') ?? 0),
    ssmCommands: calls.get('ssm:SendCommand') ?? 0,
    transitions: run.transitions,
    invocations: Object.values(run.invocations).reduce((a, b) => a + b, 0),
    ms: run.durationMs,
  };
}

function driftEverywhere(w: LocalWorld, realmName: string) {
  const gw = w.agentcore.state().gateways.find((g) => g.name === GATEWAY)!;
  const auth = structuredClone(gw.authorizerConfiguration) as { customJWTAuthorizer: { allowedAudience: string[] } };
  auth.customJWTAuthorizer.allowedAudience = ['account'];
  w.agentcore.editGateway(GATEWAY, { authorizerConfiguration: auth });
  const target = structuredClone(gw.targets[0]!.targetConfiguration) as { mcp: { mcpServer: { endpoint: string } } };
  target.mcp.mcpServer.endpoint = 'https://elsewhere.example/mcp';
  w.agentcore.editTarget(GATEWAY, String(gw.targets[0]!.name), { targetConfiguration: target });
  w.agentcore.setPolicy(GATEWAY, JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'bedrock-agentcore:InvokeGateway', Resource: gw.gatewayArn }] }));
  const realm = w.keycloak.realm(realmName)!;
  realm.clientScopes.find((s) => s.name === 'mcp:tools')!.protocolMappers[0]!.config['included.custom.audience'] = 'someone-else';
  (realm.profiles.find((p) => p.name === 'cimd-profile')!.executors[0].configuration['cimd-allow-permitted-domains'] as string[]).splice(0, 1);
  realm.policies.find((p) => p.name === 'oauth-2-1-public-client-policy')!.enabled = false;
  const cimdFile = w.hostFile(w.document.cimd.publish.host.path);
  writeFileSync(cimdFile, JSON.stringify({ ...JSON.parse(readFileSync(cimdFile, 'utf8')), client_name: 'Edited by hand' }));
}

async function main() {
  const raw = parseDesiredStateText(readFileSync(join(ROOT, 'examples', 'seed.yaml'), 'utf8'), 'seed').value as Record<string, any>;
  const w = await startWorld({ document: raw, speed: SPEED });
  const document: Record<string, any> = { ...w.document, verify: { ...w.document.verify, enabled: false } };
  try {
    const provisioned = await w.run('provision', { document });
    if (provisioned.status !== 'SUCCEEDED') throw new Error(`provisioning: ${provisioned.error}: ${provisioned.cause}`);
    const clean = await measure(w, document, 'report');
    const cleanRepair = await measure(w, document, 'repair');
    driftEverywhere(w, document.keycloak.realm.name);
    const reported = await measure(w, document, 'report');
    const repaired = await measure(w, document, 'repair');
    const columns: Array<[string, Cost]> = [
      ['no drift (report)', clean],
      ['no drift (repair)', cleanRepair],
      ['drift everywhere (report)', reported],
      ['drift everywhere (repair)', repaired],
    ];
    const kinds = [...new Set(columns.flatMap(([, c]) => [...c.calls.keys()]))].sort();
    const rows: string[][] = [
      ['outcome', ...columns.map(([, c]) => c.outcome)],
      ['drift items', ...columns.map(([, c]) => String(c.items))],
      ['state transitions', ...columns.map(([, c]) => String(c.transitions))],
      ['Lambda invocations (nested realm reconciler included)', ...columns.map(([, c]) => String(c.invocations))],
      ['SSM commands (SendCommand)', ...columns.map(([, c]) => String(c.ssmCommands))],
      ['mutating calls (AgentCore, Keycloak admin, SSM)', ...columns.map(([, c]) => String(c.mutating))],
      ['drift lease writes (own DynamoDB table)', ...columns.map(([, c]) => String(c.lockWrites))],
      ['API calls, all kinds', ...columns.map(([, c]) => String([...c.calls.values()].reduce((a, b) => a + b, 0)))],
      ...kinds.map((k) => [`  ${k}`, ...columns.map(([, c]) => String(c.calls.get(k) ?? 0))]),
    ];
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}`;
    process.stdout.write(`keygate drift bench — seed document, local world (speed ${SPEED}), ${new Date().toISOString().slice(0, 10)}, ${machine}\n\n`);
    process.stdout.write(`| figure | ${columns.map(([n]) => n).join(' | ')} |\n|---|${columns.map(() => '---:').join('|')}|\n`);
    for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
    process.stdout.write(`\nwall time (local, not a target): ${columns.map(([n, c]) => `${n} ${c.ms} ms`).join(', ')}\n`);
    process.stdout.write('Keycloak admin calls are made by the host executor on the Keycloak host (loopback), inside the SSM commands; ssm:GetParameter includes the host reading the admin password.\n');
    process.stdout.write('SSM results are polled on the reconciler\'s Retry (2 s, ×1.5, time-scaled); a slower host adds one GetCommandInvocation and one state transition per extra poll.\n');
  } finally {
    await w.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
