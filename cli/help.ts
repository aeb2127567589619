import { version } from '../package.json';
import { COMMAND_SPECS, EXIT_CODES, type CommandName, type CommandSpec } from './spec';

const WIDTH = 100;

export const VERSION_TEXT = `keygate ${version}\n`;

/** `keygate --help`: the commands, one line each, and where to find more. */
export function globalHelp(): string {
  const names = Object.keys(COMMAND_SPECS) as CommandName[];
  const width = Math.max(...names.map((n) => n.length), 'help [COMMAND]'.length);
  const rows = [...names.map((n) => [n, COMMAND_SPECS[n].summary] as const), ['help [COMMAND]', 'this help, or a command\'s'] as const];
  return [
    `keygate ${version}: control plane for an AgentCore Gateway with Keycloak (MCP 2025-11-25 authorization)`,
    '',
    'Usage: keygate <command> [flags]',
    '',
    'Commands:',
    ...rows.flatMap(([name, text]) => columns(`  ${name.padEnd(width)}  `, text)),
    '',
    'Run "keygate <command> --help" for its flags, an example and its exit codes; "keygate --version" for the version.',
    '',
    'Exit codes:',
    ...EXIT_CODES.flatMap(([code, text]) => columns(`  ${String(code).padEnd(4)}`, text)),
    '',
  ].join('\n');
}

/** `keygate <command> --help`: its usage, flags, notes, an example and its exit codes. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMAND_SPECS[name];
  const flags = [...Object.entries(spec.flags).map(([flag, f]) => [`--${flag}${f.value ? ` ${f.value}` : ''}`, f.help] as const), ['-h, --help', 'this help'] as const];
  const width = Math.max(...flags.map(([f]) => f.length));
  return [
    `keygate ${name} ${spec.usage}`.trimEnd(),
    '',
    ...columns('', `${spec.summary}.`),
    '',
    'Flags:',
    ...flags.flatMap(([flag, text]) => columns(`  ${flag.padEnd(width)}  `, text)),
    ...(spec.notes ? ['', ...columns('', spec.notes)] : []),
    '',
    spec.examples.length === 1 ? 'Example:' : 'Examples:',
    ...spec.examples.map((e) => `  ${e}`),
    '',
    'Exit codes:',
    ...spec.exits.flatMap(([code, text]) => columns(`  ${String(code).padEnd(4)}`, text)),
    '',
  ].join('\n');
}

/** `prefix` then `text` wrapped at the help's width, continuation lines aligned under the text. */
function columns(prefix: string, text: string): string[] {
  const room = Math.max(30, WIDTH - prefix.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((l, i) => `${i === 0 ? prefix : ' '.repeat(prefix.length)}${l}`);
}
