import { relative, sep } from 'node:path';
import { cacheDir } from '../../../scripts/keycloak/dist';
import { packageRoot } from '../../../scripts/package-root';
import { loadTemplate } from '../../../scripts/template';
import { TOOLS_DIR } from '../../../scripts/toolchain/python-tools';

// `sam build` copies each function's CodeUri, minus .aws-sam, .git and node_modules
// (aws_lambda_builders/workflows/nodejs_npm_esbuild/workflow.py EXCLUDED_FILES), once per function before
// bundling. Whatever the project's scripts install must live in one of those, or every build copies it 25
// times, and a build running while a test run fills it fails on a file gone mid-copy (it did: the
// Keycloak cache, then in .keygate-cache/, during its first unpacking).
const NOT_COPIED = ['.aws-sam', '.git', 'node_modules'];

describe('what sam build copies', () => {
  it("every function's CodeUri is the project root (so the root's other directories are copied)", () => {
    const template = loadTemplate();
    const uris = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Serverless::Function').map((r) => r.Properties?.CodeUri);
    expect(uris.length).toBeGreaterThan(0);
    expect(new Set(uris)).toEqual(new Set(['./']));
  });

  it.each([
    ['the Keycloak distribution and its builds (scripts/keycloak/dist.ts)', cacheDir()],
    ['the SAM CLI and cfn-lint venv (scripts/toolchain/python-tools.ts)', TOOLS_DIR()],
  ])('%s: in a directory sam build does not copy', (_what, dir) => {
    expect(NOT_COPIED).toContain(relative(packageRoot(), dir).split(sep)[0]);
  });
});
