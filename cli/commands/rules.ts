import { RULES } from '../../functions/core/lint';

/** The lint rules as the Markdown table in the README (a test keeps the two identical). */
export function rulesMarkdown(): string {
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.severity} | ${r.summary} |`);
  return ['| rule | severity | what it catches |', '|---|---|---|', ...rows].join('\n') + '\n';
}
