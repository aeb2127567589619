import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { STACK, type AnyWorld } from '../../emulators/world';
import { captureFunctionOutput, uncaptured } from '../../emulators/world/function-output';
import { DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../functions/core/desired/cimd';
import { parseDesiredStateText } from '../../functions/core/desired/load';
import { fromPackageRoot } from '../../scripts/package-root';
import { styleFor, type Style } from '../format';
import { EXIT, printJson, type CliIo } from '../io';
import { loadConfig } from '../load-config';
import { renderResult } from '../rehearse/render';
import { rehearse, type RehearsalResult } from '../rehearse/scenario';
import { LiveView } from '../rehearse/view';
import { defaultConfig, SIGNAL_EXIT, speedOf, trapSignals } from './rehearse';

export interface WorldOptions {
  config?: string;
  speed?: string;
  json?: boolean;
}

/** A command to try against the world: its environment, its arguments, and the line to paste in a shell. */
export interface WorldCommand {
  env: Record<string, string>;
  /** Environment variables to set from a file's content (a secret stays out of the output). */
  envFromFiles: Record<string, string>;
  argv: string[];
  shell: string;
}

/** What `keygate world` prints once the world is up (`--json`: this object, format `keygate.world/1`). */
export interface WorldReady {
  config: string;
  /** The copy of the document the drift command reads: `keycloak.admin.url` points at the Keycloak stand-in. */
  worldConfig: string;
  gateway: { id: string; url: string };
  /** Every server of the world, on 127.0.0.1. */
  servers: Record<string, string>;
  commands: { verify: WorldCommand; drift: WorldCommand };
}

/**
 * `keygate world [--config FILE] [--speed N] [--json]`: provisions the local world as `keygate
 * rehearse` does (the real provisioning state machine and handlers), then keeps it running and prints
 * the `keygate verify` and `keygate drift` commands that work against it, until Ctrl-C or SIGTERM,
 * which close every server and remove every file it made. Exit 0 after such a stop, 1 when
 * provisioning failed (the world is closed then), 130/143 when stopped before the world was up.
 */
export async function worldCommand(io: CliIo, opts: WorldOptions): Promise<number> {
  const config = opts.config ?? defaultConfig();
  const speed = speedOf(opts.speed);
  const { desired } = loadConfig(io, config, { requireClean: true, cimdPublishDirectory: DEFAULT_CIMD_PUBLISH_DIRECTORY });
  const document = parseDesiredStateText(io.readFile(config), config).value as Record<string, any>;
  const style = styleFor(io.isTTY && !opts.json, io.env);
  const progress = opts.json ? io.stderr : io.stdout;
  const view = new LiveView({
    write: progress,
    tty: io.isTTY && !opts.json,
    ...(io.columns ? { columns: io.columns } : {}),
    style,
    gatewayName: desired.gateway.name,
    waits: { 'Wait Grace Period': desired.resourcePolicy?.rotationGracePeriodSeconds ?? 300 },
  });
  progress(`${style.bold('keygate world')} ${config} at speed ×${speed}: provisions the local world, then keeps it running until Ctrl-C\n`);

  let files: string | undefined;
  let ready: WorldReady | undefined;
  const trap = trapSignals(io, 'world', view, () => (files ? [files] : []));
  let result: RehearsalResult;
  try {
    result = await captureFunctionOutput([], () =>
      rehearse({
        document,
        desired,
        config,
        speed,
        signal: trap.signal,
        view,
        keep: async (world) => {
          files = mkdtempSync(join(tmpdir(), 'kg-world-'));
          ready = describeWorld(world, config, files);
          view.stop();
          // Printed while the functions' output is captured: the JSON object is ours, not a log line.
          uncaptured(() => (opts.json ? printJson(io, 'keygate.world/1', true, ready!) : io.stdout(renderReady(ready!, style))));
          await new Promise((done) => (trap.signal.aborted ? done(undefined) : trap.signal.addEventListener('abort', done, { once: true })));
        },
      }),
    );
  } finally {
    view.stop();
    trap.release();
    if (files) rmSync(files, { recursive: true, force: true });
  }
  const leftovers = [...result.cleanup.leftovers, ...(files && existsSync(files) ? [`directory ${files} still exists`] : [])];
  if (!ready) {
    // Provisioning failed, or Ctrl-C came first: what happened, as the rehearsal says it.
    if (opts.json) printJson(io, 'keygate.world/1', false, { config, outcome: result.outcome, failure: result.failure ?? null, cleanup: { ...result.cleanup, leftovers } });
    else io.stdout(renderResult(result, style));
    const signal = trap.received();
    return signal ? SIGNAL_EXIT[signal]! : EXIT.findings;
  }
  const removed = result.cleanup.temporaryDirectories.length + 1;
  progress(
    leftovers.length
      ? `keygate world: stopped, but ${leftovers.join('; ')}\n`
      : `keygate world: stopped; ${result.cleanup.servers.length} servers closed, ${removed} temporary directories removed\n`,
  );
  return leftovers.length ? EXIT.findings : EXIT.ok;
}

/** The commands that work against this world, and where everything is. */
export function describeWorld(world: AnyWorld, config: string, dir: string): WorldReady {
  const chain = world.chain!;
  const gatewayId = new URL(chain.gatewayUrl).hostname.split('.')[0]!;
  const worldConfig = join(dir, `${basename(config, extname(config))}.world.json`);
  writeFileSync(worldConfig, `${JSON.stringify(world.document, null, 2)}\n`);
  const keygate = ['node', fromPackageRoot('bin', 'keygate.cjs')];
  // The canary's secret goes to a file only this user reads, removed with the world: never printed.
  const secretFile = join(dir, 'canary-secret');
  writeFileSync(secretFile, world.secrets.canary, { mode: 0o600 });
  chmodSync(secretFile, 0o600);
  const canary: Record<string, string> = world.document.keycloak?.realm?.canaryClient ? { KEYGATE_CANARY_SECRET: secretFile } : {};
  const verify = command({}, canary, [...keygate, 'verify', '--config', resolve(config), '--gateway-url', chain.gatewayUrl, ...Object.entries(chain.routes).flatMap(([host, origin]) => ['--resolve', `${host}=${origin}`])]);
  const awsEnv = pick(world.env, ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL', 'AWS_ENDPOINT_URL_SSM', 'AWS_ENDPOINT_URL_S3']);
  const drift = command(awsEnv, {}, [...keygate, 'drift', '--config', worldConfig, '--stack', STACK.owner, '--command-document', STACK.commandDocument, '--gateway-role-arn', world.env.GATEWAY_ROLE_ARN!, '--output-bucket', STACK.outputBucket]);
  const servers: Record<string, string> = {
    agentcore: world.agentcore.url,
    ssm: world.ssm.endpoint,
    keycloakAdmin: world.keycloak.url,
    s3: world.s3.endpoint,
    stepFunctions: world.stepfunctions.endpoint,
    dynamodb: world.dynamodb.endpoint,
    sns: world.sns.endpoint,
    realm: chain.realmUrl,
    gateway: chain.gateway.url,
    ...(chain.cimd ? { cimdHost: chain.cimd.url } : {}),
  };
  return { config, worldConfig, gateway: { id: gatewayId, url: chain.gatewayUrl }, servers, commands: { verify, drift } };
}

function command(env: Record<string, string>, envFromFiles: Record<string, string>, argv: string[]): WorldCommand {
  const assignments = [...Object.entries(envFromFiles).map(([k, file]) => `${k}="$(cat ${quote(file)})"`), ...Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`)];
  return { env, envFromFiles, argv, shell: [...assignments, ...argv.map(quote)].join(' ') };
}

/** A shell word: as it is when it needs no quoting, else in single quotes. */
const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

const pick = (from: Record<string, string>, keys: string[]) => Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]!]));

function renderReady(ready: WorldReady, s: Style): string {
  return [
    '',
    `${s.bold('The local world is running')}: gateway ${ready.gateway.id} (${ready.gateway.url}), every server on 127.0.0.1.`,
    'Try keygate against it from another terminal; Ctrl-C here stops the world and removes everything it made.',
    '',
    s.dim('  # the live chain: discovery, the canary token, the MCP calls (the canary secret is the world\'s own, read from a file)'),
    `  ${ready.commands.verify.shell}`,
    '',
    s.dim(`  # the drift report: the emulators' endpoints and made-up credentials; ${basename(ready.worldConfig)} is your document with`),
    s.dim('  # keycloak.admin.url pointed at the Keycloak stand-in'),
    `  ${ready.commands.drift.shell}`,
    '',
  ].join('\n');
}
