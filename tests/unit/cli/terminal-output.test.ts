import type { CliIo } from '../../../cli/io';
import { run } from '../../../cli/run';
import { forTerminal } from '../../../functions/core/display';
import { HOSTILE_INPUTS } from '../../support/hostile-inputs';
import { seedRaw } from '../../support/seed';

// A hostile document in a pull request must not repaint a reviewer's terminal: whatever keygate prints
// carries no control character, bidirectional override or escape sequence but its own colours.

const ESC = '\u001b';
const hostile = () => {
  const raw = seedRaw();
  raw.keycloak.realm.users[0].firstName = `Alice${ESC}[2J${ESC}]0;pwned${ESC}\\`;
  raw.keycloak.realm.clientScopes[0].description = `tools \u202enimda\u202c`;
  raw.keycloak.realm.name = `mcp${ESC}[31mdemo`;
  return JSON.stringify(raw, null, 2);
};

async function cli(argv: string[], opts: { isTTY?: boolean; file?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readFile: () => opts.file ?? hostile(), isTTY: opts.isTTY ?? false, env: {} };
  return { code: await run(argv, io), stdout, stderr };
}

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/;

describe('terminal output', () => {
  it.each([
    [['lint', '--config', 'pr.json']],
    [['lint', '--config', 'pr.json', '--json']],
    [['plan', '--config', 'pr.json']],
    [['plan', '--config', 'pr.json', '--json']],
    [['parameters', '--config', 'pr.json']],
    [['verify', '--config', 'pr.json']],
  ])('%j prints no raw control or bidi character, on a terminal or not', async (argv) => {
    for (const isTTY of [false, true]) {
      const out = await cli(argv, { isTTY });
      // Only keygate's own colours, on a terminal.
      const text = (out.stdout + out.stderr).replace(isTTY ? /\u001b\[(0|1|2|31|32|33)m/g : /$^/, '');
      expect([argv.join(' '), isTTY, UNSAFE.exec(text)?.[0]]).toEqual([argv.join(' '), isTTY, undefined]);
      expect(out.stdout + out.stderr).toMatch(/\\u001b|\\\\u001b/);
    }
  });

  it('lint names each hostile value escaped, and JSON output stays JSON with the same values', async () => {
    const text = await cli(['lint', '--config', 'pr.json']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('control-characters keycloak.realm.users[0].firstName: holds a control or invisible formatting character: "Alice\\\\u001b[2J');
    expect(text.stdout).toContain('realm-name-invalid keycloak.realm.name: "mcp\\\\u001b[31mdemo"');
    const json = await cli(['lint', '--config', 'pr.json', '--json']);
    expect(JSON.parse(json.stdout).findings.length).toBeGreaterThan(2);
  });

  it('every hostile input is refused by lint with exit 1, naming rule, file:line:column, field and fix', async () => {
    for (const h of HOSTILE_INPUTS) {
      const raw = seedRaw();
      h.edit(raw);
      const out = await cli(['lint', '--config', 'pr.json'], { file: JSON.stringify(raw, null, 2) });
      expect([h.name, out.code]).toEqual([h.name, 1]);
      expect([h.name, out.stdout]).toEqual([h.name, expect.stringMatching(new RegExp(`^pr\\.json:\\d+:\\d+: error ${h.rule} ${h.path.replace(/[[\].]/g, '\\$&')}: .+\\n {4}fix: .+$`, 'm'))]);
    }
  });

  it('keeps keygate\'s own colour codes on a terminal, and escapes any other sequence', () => {
    expect(forTerminal(`\u001b[31merror\u001b[0m \u001b[2J\u001b]0;x\u0007`, true)).toBe('\u001b[31merror\u001b[0m \\u001b[2J\\u001b]0;x\\u0007');
    expect(forTerminal('\u001b[31merror\u001b[0m', false)).toBe('\\u001b[31merror\\u001b[0m');
  });
});
