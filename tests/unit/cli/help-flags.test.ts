import { readFileSync } from 'node:fs';
import { fromRoot } from '../../support/paths';
import { version } from '../../../package.json';
import { COMMAND_SPECS, type CommandName } from '../../../cli/spec';
import { runCli } from '../../support/cli';

const COMMANDS = Object.keys(COMMAND_SPECS) as CommandName[];

describe('keygate <command> --help', () => {
  it.each(COMMANDS)('%s: its usage, every flag it accepts, an example and its exit codes; nothing else runs', async (command) => {
    // Act
    const { code, stdout, stderr } = await runCli([command, '--help']);
    // Assess
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout.split('\n')[0]).toBe(`keygate ${command} ${COMMAND_SPECS[command].usage}`.trimEnd());
    for (const flag of Object.keys(COMMAND_SPECS[command].flags)) expect(stdout).toMatch(new RegExp(`^  --${flag}\\b`, 'm'));
    expect(stdout).toMatch(/^Examples?:\n {2}([A-Z_]+=\S+ )*keygate /m);
    expect(stdout).toMatch(/^Exit codes:\n {2}0 {3}/m);
    for (const [exit] of COMMAND_SPECS[command].exits) expect(stdout).toMatch(new RegExp(`^  ${exit} +\\S`, 'm'));
  });

  it('is not the global help: each command prints its own', async () => {
    const texts = await Promise.all(COMMANDS.map(async (c) => (await runCli([c, '-h'])).stdout));
    expect(new Set(texts).size).toBe(COMMANDS.length);
    expect(texts[0]).not.toContain('Commands:');
  });

  it('keygate help COMMAND is COMMAND --help; keygate help NOPE exits 2', async () => {
    expect((await runCli(['help', 'drift'])).stdout).toBe((await runCli(['drift', '--help'])).stdout);
    const nope = await runCli(['help', 'nope']);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/no command "nope"; the commands: lint, plan/);
  });

  it('--help wins over a missing --config (nothing is read)', async () => {
    expect(await runCli(['lint', '--help'])).toMatchObject({ code: 0 });
  });
});

describe('keygate --version', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the package version', async (flag) => {
    expect(await runCli([flag])).toEqual({ code: 0, stdout: `keygate ${version}\n`, stderr: '' });
  });

  it('the global help lists every command and points to per-command help', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const c of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    expect(stdout).toContain('"keygate <command> --help"');
  });
});

describe('flags in keygate\'s words', () => {
  it.each([
    [['lint', '--confg', 'x.yaml'], 'unknown flag --confg for keygate lint (did you mean --config?); keygate lint --help lists its flags'],
    [['plan', '--config', 'examples/seed.yaml', '--jsn'], 'unknown flag --jsn for keygate plan (did you mean --json?)'],
    [['plan', '--config', 'examples/seed.yaml', '--keycloak-observd', 'x.json'], 'unknown flag --keycloak-observd for keygate plan (did you mean --keycloak-observed?)'],
    [['rehearse', '--sped', '5'], 'unknown flag --sped for keygate rehearse (did you mean --speed?)'],
    [['rules', '--config', 'x'], 'unknown flag --config for keygate rules (its flags: --json)'],
    [['lint', '-j'], 'unknown flag -j for keygate lint (did you mean --json?)'],
    [['lint', '--config', 'a.yaml', '--config', 'b.yaml'], '--config is given twice ("a.yaml" and "b.yaml"): give it once'],
    [['lint', '--config'], '--config needs a value (--config FILE): the desired-state document'],
    [['lint', '--config', '--json'], '--config needs a value (--config FILE)'],
    [['lint', '--json=yes', '--config', 'x'], '--json takes no value (given "yes"): write --json alone'],
    [['lint', 'examples/seed.yaml'], 'unexpected argument "examples/seed.yaml": keygate lint takes flags only (did you mean --config examples/seed.yaml?)'],
    [['lnit'], 'unknown command "lnit" (did you mean "lint"?)'],
  ])('%j exits 2: %s', async (argv, message) => {
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at |ERR_PARSE_ARGS|parseArgs/);
    // With --json among the arguments, stdout is the error as JSON; otherwise empty.
    if (argv[0] !== 'lnit') expect(stdout === '' || JSON.parse(stdout).format === 'keygate.error/1').toBe(true);
  });

  it('a repeatable flag keeps every value (verify --resolve)', async () => {
    // Two --resolve flags reach the command: the second one's mistake is reported, so both were kept.
    const { code, stderr } = await runCli(['verify', '--config', 'examples/seed.yaml', '--resolve', 'a.example.com=http://127.0.0.1:1', '--resolve', 'nonsense']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/nonsense/);
  });

  it.each([
    [['--speed', 'fast'], '--speed must be a number from 1 (as slow as AWS: gateway 20 s, target 30 s) to 2000, not "fast" (default 20)'],
    [['--speed', '-5'], '--speed must be a number from 1 (as slow as AWS: gateway 20 s, target 30 s) to 2000, not "-5"'],
    [['--speed', '0'], '--speed must be a number from 1 (as slow as AWS: gateway 20 s, target 30 s) to 2000, not "0"'],
    [['--speed'], '--speed needs a value (--speed N): run the emulated service delays'],
    [['--fault', 'slow'], '--fault must be one of target-failed, gateway-failed, not "slow"'],
  ])('rehearse %j exits 2 before starting anything: %s', async (flags, message) => {
    const { code, stdout, stderr } = await runCli(['rehearse', ...flags]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain(`keygate rehearse: ${message}`);
  });
});

describe('--json: one documented shape on every command that prints', () => {
  const printing: Array<[string[], string, number]> = [
    [['lint', '--config', 'examples/seed.yaml'], 'keygate.lint/1', 0],
    [['plan', '--config', 'examples/seed.yaml'], 'keygate.plan/1', 0],
    [['parameters', '--config', 'examples/seed.yaml'], 'keygate.parameters/1', 0],
    [['schema'], 'keygate.schema/1', 0],
    [['rules'], 'keygate.rules/1', 0],
    [['lint', '--config', 'nope.yaml'], 'keygate.error/1', 2],
  ];

  it.each(printing)('%j --json: exactly one object, `format` and `ok` first, ok exactly when the exit is 0', async (argv, format, exit) => {
    const { code, stdout } = await runCli([...argv, '--json']);
    expect(code).toBe(exit);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(out).slice(0, 2)).toEqual(['format', 'ok']);
    expect(out).toMatchObject({ format, ok: exit === 0 });
  });

  it('every command that prints takes --json (the help says so)', () => {
    expect(COMMANDS.filter((c) => !('json' in COMMAND_SPECS[c].flags))).toEqual([]);
  });

  it('rules --json carries every rule of the table; schema --json the schema itself', async () => {
    const rules = JSON.parse((await runCli(['rules', '--json'])).stdout).rules as Array<{ id: string }>;
    const table = (await runCli(['rules'])).stdout;
    expect(rules.length).toBe(table.split('\n').filter((l) => l.startsWith('| `')).length);
    for (const r of rules) expect(table).toContain(`| \`${r.id}\` |`);
    const schema = JSON.parse((await runCli(['schema', '--json'])).stdout).schema;
    expect(schema).toEqual(JSON.parse((await runCli(['schema'])).stdout));
  });

  it('parameters --json is the --format json mapping; both flags at once are refused', async () => {
    const wrapped = JSON.parse((await runCli(['parameters', '--config', 'examples/seed.yaml', '--json'])).stdout);
    const plain = JSON.parse((await runCli(['parameters', '--config', 'examples/seed.yaml', '--format', 'json'])).stdout);
    expect(wrapped.parameters).toEqual(plain);
    const both = await runCli(['parameters', '--config', 'examples/seed.yaml', '--format', 'json', '--json']);
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stdout)).toMatchObject({ format: 'keygate.error/1', ok: false, error: expect.stringMatching(/give --json or --format, not both/) });
  });
});

describe('README, "CLI"', () => {
  const readme = readFileSync(fromRoot('README.md'), 'utf8');

  it.each(COMMANDS)('lists keygate %s with the usage its --help prints, and its --json format', (command) => {
    expect(readme).toContain(`| \`${`keygate ${command} ${COMMAND_SPECS[command].usage}`.trimEnd().replace(/\|/g, '\\|')}\` |`);
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${command}\` | \`keygate.`));
    expect(row).toBeDefined();
  });
});
