import { readFileSync } from 'node:fs';
import { runCli } from '../../support/cli';
import { fromRoot } from '../../support/paths';

// The README's transcript of examples/two-targets.yaml is what the commands print: its lint and plan
// parts, which depend on nothing but the document, are compared with the commands' output here.

const readme = readFileSync(fromRoot('README.md'), 'utf8');
const example = 'examples/two-targets.yaml';

/** The text block after `<!-- transcript: NAME -->`: its `$` line and what follows it. */
function transcript(name: string): { command: string[]; output: string } {
  const at = readme.indexOf(`<!-- transcript: ${name} -->`);
  expect(at).toBeGreaterThan(0);
  const block = /```text\n\$ npx keygate (.+)\n([\s\S]*?)```/.exec(readme.slice(at))!;
  return { command: block[1]!.split(' '), output: block[2]! };
}

describe('README, "Your own document, start to finish"', () => {
  it.each([['lint'], ['plan']])('the %s transcript is what keygate prints for the example', async (name) => {
    const { command, output } = transcript(name);
    expect(command).toEqual([name, '--config', example]);
    const { code, stdout } = await runCli(command, { files: { [example]: readFileSync(fromRoot(example), 'utf8') } });
    expect(code).toBe(0);
    expect(output).toBe(stdout);
  });

  it('shows a picture of the live view that exists', () => {
    const image = /!\[[^\]]+\]\((docs\/images\/[\w-]+\.png)\)/.exec(readme)?.[1];
    expect(image).toBeDefined();
    expect(readFileSync(fromRoot(image!)).subarray(1, 4).toString()).toBe('PNG');
  });
});
