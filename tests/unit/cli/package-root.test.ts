import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../cli/commands/rehearse';
import { loadTemplate } from '../../../scripts/template';
import { fromPackageRoot, packageRoot } from '../../../scripts/package-root';
import { fromRoot, ROOT } from '../../support/paths';

// keygate reads its own files (template.yaml, statemachine/, examples/seed.yaml) from its package
// root, never from the cwd: `keygate rehearse` runs from any directory. The bundled CLI from another
// directory: tests/integration/rehearse/cli-process.test.ts.

describe('package root', () => {
  it('is the directory of the package.json named keygate, found from the code', () => {
    expect(packageRoot()).toBe(ROOT);
    expect(fromPackageRoot('statemachine', 'provision.asl.json')).toBe(fromRoot('statemachine', 'provision.asl.json'));
  });

  it('loadTemplate reads keygate\'s template.yaml by default', () => {
    expect(loadTemplate().Resources).toEqual(loadTemplate(ROOT).Resources);
  });
});

describe('keygate rehearse default config', () => {
  it('is examples/seed.yaml relative to the cwd inside the package (as npm start prints it)', () => {
    expect(defaultConfig(ROOT)).toBe('examples/seed.yaml');
    expect(defaultConfig(fromRoot('examples'))).toBe('seed.yaml');
  });

  it('is the absolute path of keygate\'s examples/seed.yaml from anywhere else', () => {
    // A fresh directory, never an ancestor of the checkout (CI may clone under the temp directory itself).
    const elsewhere = mkdtempSync(join(tmpdir(), 'kg-elsewhere-'));
    try {
      expect(defaultConfig(elsewhere)).toBe(fromRoot('examples', 'seed.yaml'));
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    expect(defaultConfig(fromRoot('examples', 'seed.yaml', 'x'))).toBe(fromRoot('examples', 'seed.yaml'));
  });
});
