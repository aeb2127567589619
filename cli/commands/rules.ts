import { RULES } from '../../functions/core/lint';
import { EXIT, printJson, type CliIo } from '../io';

/** The lint rules as the Markdown table in the README (a test keeps the two identical). */
export function rulesMarkdown(): string {
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.severity} | ${r.summary} |`);
  return ['| rule | severity | what it catches |', '|---|---|---|', ...rows].join('\n') + '\n';
}

/** `keygate rules [--json]`: the table, or `{format, ok, rules: [{id, severity, summary}]}`. */
export function rulesCommand(io: CliIo, opts: { json: boolean }): number {
  if (opts.json) printJson(io, 'keygate.rules/1', true, { rules: RULES.map(({ id, severity, summary }) => ({ id, severity, summary })) });
  else io.stdout(rulesMarkdown());
  return EXIT.ok;
}
