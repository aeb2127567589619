import { formatFinding, styleFor, summarizeFindings } from '../format';
import { EXIT, printJson, type CliIo } from '../io';
import { cimdPublishDirectoryOption, loadConfig } from '../load-config';

/** `keygate lint --config FILE [--json]`: exit 0 clean or warnings only, 1 with errors. */
export function lintCommand(io: CliIo, opts: { config?: string; json?: boolean; cimdPublishDirectory?: string }): number {
  const { findings } = loadConfig(io, opts.config, { cimdPublishDirectory: cimdPublishDirectoryOption(opts.cimdPublishDirectory) });
  const hasErrors = findings.some((f) => f.severity === 'error');
  if (opts.json) {
    const out = findings.map(({ ruleId, severity, path, message, fix, line, column }) => ({ ruleId, severity, path, message, fix, line, column }));
    printJson(io, 'keygate.lint/1', !hasErrors, { source: opts.config, findings: out });
  } else {
    const style = styleFor(io.isTTY, io.env);
    for (const f of findings) io.stdout(formatFinding(opts.config!, f, style));
    io.stdout(`${opts.config}: ${summarizeFindings(findings)}\n`);
  }
  return hasErrors ? EXIT.findings : EXIT.ok;
}
