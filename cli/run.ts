import { parseArgs } from 'node:util';
import { DesiredStateInvalidError } from '../functions/core/errors';
import { parseDesiredStateText } from '../functions/core/desired/load';
import { driftCommand } from './commands/drift';
import { lintCommand } from './commands/lint';
import { formatParameters, templateParameters } from './commands/parameters';
import { planCommand } from './commands/plan';
import { rulesMarkdown } from './commands/rules';
import { schemaText } from './commands/schema';
import { verifyCommand } from './commands/verify';
import { forTerminal } from '../functions/core/display';
import { colourOn } from './format';
import { EXIT, UsageError, type CliIo } from './io';
import { cimdPublishDirectoryOption, loadConfig } from './load-config';

export const HELP = `keygate: control plane for an AgentCore Gateway with Keycloak (MCP 2025-11-25 authorization)

Usage:
  keygate plan --config FILE [--json] [--keycloak-observed SNAPSHOT.json]
                                               everything keygate would create, offline; with a
                                               Keycloak snapshot, the realm changes against it
  keygate lint --config FILE [--json]          check the document; exit 1 on errors
  keygate parameters --config FILE [--format toml|cli|json]
                                               template parameters for sam deploy
  (plan, lint and parameters take --cimd-publish-directory DIR: the stack's CimdPublishDirectory,
   the one host directory the CIMD document may be published under; default /opt/cimd/public)
  keygate verify --config FILE [--gateway-url URL] [--secret-env NAME] [--resolve HOST=ORIGIN]... [--json]
                                               check the live chain: discovery, keys, canary token,
                                               protected-resource metadata, allowed and denied MCP calls,
                                               CIMD document; exit 1 when it fails. The canary secret is
                                               read from the environment variable NAME (default
                                               KEYGATE_CANARY_SECRET); --resolve sends a host's requests
                                               to another origin (port forwarding, local rehearsal)
  keygate drift --config FILE --stack NAME --command-document NAME [--gateway-role-arn ARN]
                [--output-bucket NAME] [--json]
                                               the drift report, from this machine with your AWS
                                               credentials: the gateway, targets, resource policy,
                                               Keycloak realm and CIMD document against the document
                                               (read-only: one SSM command on the Keycloak host); exit 1
                                               when drifted. --gateway-role-arn (stack output
                                               GatewayRoleArn) is required unless the document sets
                                               gateway.roleArn
  keygate rehearse [--config FILE] [--speed N] [--fault KIND] [--json]
                                               the whole control plane on this machine: provision,
                                               VPC endpoint rotation, drift report and repair,
                                               teardown, with real state machines, handlers and SDK
                                               clients against local emulators (default config
                                               keygate's examples/seed.yaml, from any directory;
                                               speed 20; --fault target-failed or gateway-failed
                                               shows a failure); exit 1 when it fails
  keygate schema                               JSON Schema of the desired-state document
  keygate rules                                the lint rules (Markdown)
  keygate help

Exit codes: 0 ok (warnings allowed), 1 lint errors, failed verification or drift, 2 unusable input, 70 internal
error (or, for drift, AWS or the Keycloak host refused).
`;

type Command = (io: CliIo, values: Record<string, string | boolean | string[] | undefined>) => number | Promise<number>;

/** The stack's CimdPublishDirectory, for the commands that lint the document (lint, plan, parameters). */
const DIRECTORY_OPTION = { 'cimd-publish-directory': { type: 'string' as const } };
const directoryOf = (v: Record<string, unknown>) => (v['cimd-publish-directory'] !== undefined ? { cimdPublishDirectory: v['cimd-publish-directory'] as string } : {});

/** Commands and the options each accepts; parseArgs rejects anything else with a clear message. */
const COMMANDS: Record<string, { options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>; run: Command }> = {
  plan: {
    options: { config: { type: 'string' }, json: { type: 'boolean' }, 'keycloak-observed': { type: 'string' }, ...DIRECTORY_OPTION },
    run: (io, v) =>
      planCommand(io, {
        config: v.config as string | undefined,
        json: v.json === true,
        ...(v['keycloak-observed'] !== undefined ? { keycloakObserved: v['keycloak-observed'] as string } : {}),
        ...directoryOf(v),
      }),
  },
  lint: {
    options: { config: { type: 'string' }, json: { type: 'boolean' }, ...DIRECTORY_OPTION },
    run: (io, v) => lintCommand(io, { config: v.config as string | undefined, json: v.json === true, ...directoryOf(v) }),
  },
  parameters: {
    options: { config: { type: 'string' }, format: { type: 'string' }, ...DIRECTORY_OPTION },
    run: (io, v) => {
      const format = (v.format as string | undefined) ?? 'toml';
      if (!['toml', 'cli', 'json'].includes(format)) throw new UsageError(`--format must be toml, cli or json, not "${format}"`);
      const directory = cimdPublishDirectoryOption(v['cimd-publish-directory']);
      const { desired } = loadConfig(io, v.config as string | undefined, { requireClean: true, cimdPublishDirectory: directory });
      const { value } = parseDesiredStateText(io.readFile(v.config as string), v.config as string);
      io.stdout(formatParameters(templateParameters(desired, value, directory), format as 'toml' | 'cli' | 'json'));
      return EXIT.ok;
    },
  },
  verify: {
    options: { config: { type: 'string' }, 'gateway-url': { type: 'string' }, 'secret-env': { type: 'string' }, resolve: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    run: (io, v) =>
      verifyCommand(io, {
        config: v.config as string | undefined,
        gatewayUrl: v['gateway-url'] as string | undefined,
        secretEnv: v['secret-env'] as string | undefined,
        resolve: v.resolve as string[] | undefined,
        json: v.json === true,
      }),
  },
  drift: {
    options: {
      config: { type: 'string' },
      stack: { type: 'string' },
      'gateway-role-arn': { type: 'string' },
      'command-document': { type: 'string' },
      'output-bucket': { type: 'string' },
      json: { type: 'boolean' },
    },
    run: (io, v) =>
      driftCommand(io, {
        config: v.config as string | undefined,
        stack: v.stack as string | undefined,
        gatewayRoleArn: v['gateway-role-arn'] as string | undefined,
        commandDocument: v['command-document'] as string | undefined,
        outputBucket: v['output-bucket'] as string | undefined,
        json: v.json === true,
      }),
  },
  rehearse: {
    options: { config: { type: 'string' }, speed: { type: 'string' }, fault: { type: 'string' }, json: { type: 'boolean' } },
    run: async (io, v) =>
      (await loadRehearse()).rehearseCommand(io, {
        ...(v.config !== undefined ? { config: v.config as string } : {}),
        ...(v.speed !== undefined ? { speed: v.speed as string } : {}),
        ...(v.fault !== undefined ? { fault: v.fault as string } : {}),
        json: v.json === true,
      }),
  },
  schema: { options: {}, run: (io) => (io.stdout(schemaText()), EXIT.ok) },
  rules: { options: {}, run: (io) => (io.stdout(rulesMarkdown()), EXIT.ok) },
  help: { options: {}, run: (io) => (io.stdout(HELP), EXIT.ok) },
};

/** The rehearsal (the emulators, the state machine runner, every handler) loads only when it runs. */
const loadRehearse = () => import('./commands/rehearse');

/** Runs one CLI invocation and returns its exit code. Never throws for a user's mistake. */
export async function run(argv: string[], raw: CliIo): Promise<number> {
  // Everything a command prints passes one filter: control characters, bidirectional overrides and any
  // escape sequence but keygate's own colours are escaped, whatever value they came from. The
  // rehearsal's live view moves the cursor on purpose, and prints only values that passed lint.
  const colour = colourOn(raw.isTTY, raw.env);
  const io: CliIo = argv[0] === 'rehearse' ? raw : { ...raw, stdout: (t) => raw.stdout(forTerminal(t, colour)), stderr: (t) => raw.stderr(forTerminal(t, colour)) };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`keygate: unknown command "${name}"\n\n${HELP}`);
    return EXIT.usage;
  }
  // With --json, unusable input is data on stdout too (the text stays on stderr for people).
  const json = 'json' in command.options && rest.includes('--json');
  try {
    const { values } = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    if (values.help) {
      io.stdout(HELP);
      return EXIT.ok;
    }
    return await command.run(io, values);
  } catch (error) {
    if (error instanceof UsageError || error instanceof DesiredStateInvalidError) {
      io.stderr(`keygate ${name}: ${error.message}\n`);
      if (json) io.stdout(inputErrorJson(error));
      return EXIT.usage;
    }
    if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`keygate ${name}: ${(error as Error).message}\nRun "keygate help" for usage.\n`);
      if (json) io.stdout(inputErrorJson(error as Error));
      return EXIT.usage;
    }
    io.stderr(`keygate ${name}: internal error (please report it): ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}

/**
 * `--json` output for unusable input (exit 2), in the style of `lint --json`: `source` (the file,
 * when the problem is in one), `ok: false`, `error` (one line) and `problems` (each with `path`,
 * `message`, and when known `ruleId`, `fix`, `line`, `column`). README, "Commands".
 */
function inputErrorJson(error: Error): string {
  const input = error instanceof DesiredStateInvalidError ? { source: error.source, problems: error.problems } : error instanceof UsageError ? error.input : undefined;
  const problems = (input?.problems ?? []).map(({ ruleId, path, message, fix, line, column }) => ({ ruleId, path, message, fix, line, column }));
  const summary = error.message.split('\n')[0]!.replace(/:$/, '');
  return `${JSON.stringify({ source: input?.source, ok: false, error: summary, problems }, null, 2)}\n`;
}
