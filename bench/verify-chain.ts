// `node bin/run-ts.cjs bench/verify-chain.ts`: what one verification run costs against the loopback
// chain, as ratios against a baseline measured in the same run (one discovery GET through the same
// resolving fetch), plus the number of HTTP requests each peer answers per run.
import { readFileSync } from 'node:fs';
import { startChain } from '../emulators/chain';
import { verifyChain } from '../functions/adapters/verify/verify-chain';
import { loadDesiredState } from '../functions/core/desired/load';

const RUNS = Number(process.env.RUNS ?? 20);
const GATEWAY_URL = 'https://mcp-gateway-keycloak-demo-bench00000.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
const SECRET = 'bench-canary-secret-000000';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const desired = loadDesiredState(readFileSync('examples/seed.yaml', 'utf8'), 'examples/seed.yaml');
  const chain = await startChain(desired, { gatewayUrl: GATEWAY_URL, canarySecret: SECRET });
  try {
    const opts = { gatewayUrl: GATEWAY_URL, canarySecret: { value: SECRET }, fetch: chain.fetch, now: () => new Date() };
    await verifyChain(desired, opts); // warm-up: keys, JIT, the gateway's discovery cache
    const baseline: number[] = [];
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      await (await chain.fetch(desired.gateway.authorizer.discoveryUrl)).text();
      baseline.push(performance.now() - t);
      for (const peer of [chain.op, chain.gateway, chain.cimd!]) peer.calls.length = 0;
      t = performance.now();
      const report = await verifyChain(desired, opts);
      runs.push(performance.now() - t);
      if (report.outcome !== 'pass') throw new Error(`unexpected outcome ${report.outcome}`);
    }
    const requests = { authorizationServer: chain.op.calls.length, gateway: chain.gateway.calls.length, cimdHost: chain.cimd!.calls.length };
    const b = median(baseline);
    const r = median(runs);
    process.stdout.write(
      `${JSON.stringify({ runs: RUNS, baselineMedianMs: +b.toFixed(2), verifyMedianMs: +r.toFixed(1), ratioToBaseline: +(r / b).toFixed(1), requestsPerRun: requests, totalRequestsPerRun: Object.values(requests).reduce((x, y) => x + y, 0) }, null, 2)}\n`,
    );
  } finally {
    await chain.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
