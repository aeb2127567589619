import { escapeForDisplay } from '../functions/core/display';
import type { Finding } from '../functions/core/lint';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
}

const plain: Style = { bold: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, green: (s) => s };
const ansi = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const color: Style = { bold: ansi(1), dim: ansi(2), red: ansi(31), yellow: ansi(33), green: ansi(32) };

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function styleFor(isTTY: boolean, env: Record<string, string | undefined>): Style {
  return colourOn(isTTY, env) ? color : plain;
}

export function formatFinding(source: string, f: Finding, style: Style): string {
  const where = f.line ? `${source}:${f.line}:${f.column ?? 1}` : source;
  const severity = f.severity === 'error' ? style.red('error') : style.yellow('warning');
  // The document's own text (a path, a quoted value) is escaped: a hostile document must not repaint the reviewer's terminal.
  const e = escapeForDisplay;
  return `${e(where)}: ${severity} ${style.bold(f.ruleId)} ${e(f.path)}: ${e(f.message)}\n    fix: ${e(f.fix)}\n`;
}

/** Whether text output may carry colour codes (the same test as {@link styleFor}). */
export const colourOn = (isTTY: boolean, env: Record<string, string | undefined>): boolean => isTTY && !env.NO_COLOR;

export function summarizeFindings(findings: Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}
