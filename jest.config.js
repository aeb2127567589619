/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 calls (toolchain-notes §3).
  setupFiles: ['<rootDir>/tests/support/setup-env.ts'],
  // Once per run: the Lambda bundles as `sam build` makes them (tests/support/bundles.ts), a real Keycloak
  // (tests/support/real-keycloak.ts), and whatever else a run needs started before its tests and stopped after them.
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  // The real `sam build` test last: its build runs in the background meanwhile (tests/support/sam-build.ts).
  testSequencer: '<rootDir>/tests/support/sequencer.cjs',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'py', 'sh'],
  transform: {
    // Host scripts are bundled as text (esbuild loaders); the same under jest.
    '^.+\\.(py|sh)$': '<rootDir>/tests/support/text-transform.cjs',
    '^.+\\.[tj]s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true }, module: { type: 'commonjs' } }],
  },
  // jose@6 and @middy/* ship ESM only; compile them to CJS for jest (toolchain-notes §1.4).
  // The Lambda bundles (.aws-sam) run as built, untransformed.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@middy|oidc-provider|@koa|koa|quick-lru|nanoid)/)', '/\\.aws-sam/'],
  moduleNameMapper: { '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  // A bound for a hung test, not a speed requirement: on a shared 2-vCPU machine at load average 20-36, tests
  // that spawn the CLI or provision twice took over 30 s (tests/integration/cli/process.test.ts,
  // provisioning/provision.test.ts). No test asserts a time.
  testTimeout: 120_000,
  // Two workers at least (jest's default is one fewer than the cores: a single worker on a 2-vCPU machine).
  // Much of a run waits on other processes (the real Keycloak, spawned CLIs, the background `sam build`), so
  // a second worker overlaps those waits: on a 2-vCPU machine the whole suite took 552 s with two workers
  // and 1,049 s with one (2026-12-06).
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
};
