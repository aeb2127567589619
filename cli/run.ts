import { DesiredStateInvalidError } from '../functions/core/errors';
import { parseDesiredStateText } from '../functions/core/desired/load';
import { closest } from '../functions/core/desired/paths';
import { describeAwsFailure } from './aws-errors';
import { driftCommand } from './commands/drift';
import { lintCommand } from './commands/lint';
import { formatParameters, templateParameters } from './commands/parameters';
import { planCommand } from './commands/plan';
import { rulesCommand } from './commands/rules';
import { schemaCommand } from './commands/schema';
import { verifyCommand } from './commands/verify';
import { parseFlags, type FlagValues } from './flags';
import { commandHelp, globalHelp, VERSION_TEXT } from './help';
import { forTerminal } from '../functions/core/display';
import { colourOn } from './format';
import { EXIT, printJson, UsageError, type CliIo } from './io';
import { cimdPublishDirectoryOption, loadConfig } from './load-config';
import { COMMAND_SPECS, isCommand, type CommandName } from './spec';

type Command = (io: CliIo, values: FlagValues) => number | Promise<number>;

const str = (v: FlagValues[string]) => v as string | undefined;
const optional = <K extends string>(key: K, v: FlagValues[string]) => (v === undefined ? {} : ({ [key]: v as string } as Record<K, string>));
/** The stack's CimdPublishDirectory, for the commands that lint the document (lint, plan, parameters). */
const directoryOf = (v: FlagValues) => optional('cimdPublishDirectory', v['cimd-publish-directory']);

/** What each command runs; the flags it accepts are in cli/spec.ts. */
const COMMANDS: Record<CommandName, Command> = {
  plan: (io, v) => planCommand(io, { config: str(v.config), json: v.json === true, ...optional('keycloakObserved', v['keycloak-observed']), ...directoryOf(v) }),
  lint: (io, v) => lintCommand(io, { config: str(v.config), json: v.json === true, ...directoryOf(v) }),
  parameters: (io, v) => {
    if (v.json === true && v.format !== undefined) throw new UsageError('give --json or --format, not both (--json prints {format, ok, parameters}; --format json the plain mapping)');
    const format = str(v.format) ?? 'toml';
    if (!['toml', 'cli', 'json'].includes(format)) throw new UsageError(`--format must be toml, cli or json, not "${format}"`);
    const directory = cimdPublishDirectoryOption(v['cimd-publish-directory']);
    const { desired } = loadConfig(io, str(v.config), { requireClean: true, cimdPublishDirectory: directory });
    const { value } = parseDesiredStateText(io.readFile(str(v.config)!), str(v.config));
    const parameters = templateParameters(desired, value, directory);
    if (v.json === true) printJson(io, 'keygate.parameters/1', true, { source: str(v.config), parameters });
    else io.stdout(formatParameters(parameters, format as 'toml' | 'cli' | 'json'));
    return EXIT.ok;
  },
  verify: (io, v) => verifyCommand(io, { config: str(v.config), gatewayUrl: str(v['gateway-url']), secretEnv: str(v['secret-env']), resolve: v.resolve as string[] | undefined, login: v.login === true, loginUser: str(v['login-user']), screenshots: str(v.screenshots), json: v.json === true }),
  drift: (io, v) =>
    driftCommand(io, {
      config: str(v.config),
      stack: str(v.stack),
      gatewayRoleArn: str(v['gateway-role-arn']),
      commandDocument: str(v['command-document']),
      outputBucket: str(v['output-bucket']),
      json: v.json === true,
    }),
  rehearse: async (io, v) => (await loadRehearse()).rehearseCommand(io, { ...optional('config', v.config), ...optional('speed', v.speed), ...optional('fault', v.fault), ...optional('keycloak', v.keycloak), ...optional('screenshots', v.screenshots), json: v.json === true }),
  world: async (io, v) => (await loadWorld()).worldCommand(io, { ...optional('config', v.config), ...optional('speed', v.speed), json: v.json === true }),
  schema: (io, v) => schemaCommand(io, { json: v.json === true }),
  rules: (io, v) => rulesCommand(io, { json: v.json === true }),
};

/** The rehearsal and the local world (the emulators, the state machine runner, every handler) load only when they run. */
const loadRehearse = () => import('./commands/rehearse');
const loadWorld = () => import('./commands/world');

/** Runs one CLI invocation and returns its exit code. Never throws for a user's mistake. */
export async function run(argv: string[], raw: CliIo): Promise<number> {
  // Everything a command prints passes one filter: control characters, bidirectional overrides and any
  // escape sequence but keygate's own colours are escaped, whatever value they came from. The
  // rehearsal's live view moves the cursor on purpose, and prints only values that passed lint.
  const colour = colourOn(raw.isTTY, raw.env);
  const io: CliIo = argv[0] === 'rehearse' ? raw : { ...raw, stdout: (t) => raw.stdout(forTerminal(t, colour)), stderr: (t) => raw.stderr(forTerminal(t, colour)) };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(globalHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(VERSION_TEXT);
    return EXIT.ok;
  }
  if (name === 'help') return helpCommand(io, rest);
  if (!isCommand(name)) {
    const suggestion = closest(name.replace(/^-+/, ''), Object.keys(COMMAND_SPECS));
    io.stderr(`keygate: unknown command "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}\n\n${globalHelp()}`);
    return EXIT.usage;
  }
  const spec = COMMAND_SPECS[name];
  // With --json, stdout carries exactly one JSON object, also when the input is unusable or AWS refused.
  const json = 'json' in spec.flags && rest.includes('--json');
  try {
    const values = parseFlags(name, spec.flags, rest);
    if (values.help) {
      io.stdout(commandHelp(name));
      return EXIT.ok;
    }
    return await COMMANDS[name](io, values);
  } catch (error) {
    return reportError(io, name, error, json);
  }
}

function helpCommand(io: CliIo, rest: string[]): number {
  const [topic, ...extra] = rest;
  if (topic === undefined) {
    io.stdout(globalHelp());
    return EXIT.ok;
  }
  if (!isCommand(topic) || extra.length) {
    io.stderr(`keygate help: no command "${[topic, ...extra].join(' ')}"; the commands: ${Object.keys(COMMAND_SPECS).join(', ')}\n`);
    return EXIT.usage;
  }
  io.stdout(commandHelp(topic));
  return EXIT.ok;
}

/** The one place an error becomes output: unusable input (2), AWS refusing (70, one line), a bug (70, with its stack). */
function reportError(io: CliIo, name: string, error: unknown, json: boolean): number {
  if (error instanceof UsageError || error instanceof DesiredStateInvalidError) {
    io.stderr(`keygate ${name}: ${error.message}\n`);
    if (json) io.stdout(inputErrorJson(error));
    return EXIT.usage;
  }
  const aws = describeAwsFailure(error, io.env);
  if (aws) {
    io.stderr(`keygate ${name}: ${aws.line}\n`);
    if (json) printJson(io, 'keygate.error/1', false, { error: aws.line, aws: { kind: aws.kind, ...aws.call, reason: aws.reason, fix: aws.fix }, problems: [] });
    return EXIT.internal;
  }
  io.stderr(`keygate ${name}: internal error (please report it): ${(error as Error).stack ?? String(error)}\n`);
  if (json) printJson(io, 'keygate.error/1', false, { error: `internal error: ${(error as Error).message ?? String(error)}`, problems: [] });
  return EXIT.internal;
}

/**
 * `--json` output for unusable input (exit 2), in the style of `lint --json`: `source` (the file,
 * when the problem is in one), `ok: false`, `error` (one line) and `problems` (each with `path`,
 * `message`, and when known `ruleId`, `fix`, `line`, `column`). README, "JSON output".
 */
function inputErrorJson(error: UsageError | DesiredStateInvalidError): string {
  const input = error instanceof DesiredStateInvalidError ? { source: error.source, problems: error.problems } : error.input;
  const problems = (input?.problems ?? []).map(({ ruleId, path, message, fix, line, column }) => ({ ruleId, path, message, fix, line, column }));
  const summary = error.message.split('\n')[0]!.replace(/:$/, '');
  return `${JSON.stringify({ format: 'keygate.error/1', ok: false, source: input?.source, error: summary, problems }, null, 2)}\n`;
}
