'use strict';
// Runs a TypeScript entry point of the tooling (the CLI, the bench, scripts/) by bundling it with
// esbuild in memory, then loading the bundle in this process. esbuild, not a require hook: jose and
// @middy/* are ESM-only with import-only exports, which Node's CJS resolver cannot load. The Lambda
// functions are not built here: scripts/bundles.ts builds them with the command line `sam build` runs.
const path = require('node:path');
const Module = require('node:module');

function bundle(entry, options = {}) {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [entry],
    // The source map's paths are relative to this directory, and Node resolves them against the
    // bundle's own path (beside the entry): both must be the entry's directory, or stack traces name
    // files that do not exist (the cwd's path joined onto the package's).
    absWorkingDir: path.dirname(entry),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    keepNames: true,
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
    // Every imported module evaluated, as Node does from source, whatever a package's "sideEffects"
    // says: with it, esbuild left zod/mini uninitialized in the bench's bundle ("Class is not a
    // constructor" at load) once the dynamic import of emulators/chain had wrapped zod's core in a
    // lazy __esm initializer and the module that used to initialize it first no longer imported zod
    // (https://github.com/evanw/esbuild/issues/3357, re-exported module not initialized). The
    // Lambda bundles are sam build's own (scripts/bundles.ts) and each is loaded by a test.
    ignoreAnnotations: true,
    // The emulators keep their helper scripts (emulators/ssm/fake-aws.py) as files beside the code.
    loader: { '.sh': 'text', '.py': 'text' },
    // esbuild cannot bundle itself (it ships a native binary); scripts that drive it load it at run time.
    // playwright-core loads its own files at run time (the login flow's browser driver); undici is
    // large and only the login flow needs it: both are required from node_modules when used.
    external: ['esbuild', 'playwright-core', 'undici', ...(options.external ?? [])],
  });
  return result.outputFiles[0].text;
}

/** `options.external`: imports left out of the bundle (a lazily imported module the run will not reach). */
function runTs(entry, options = {}) {
  const file = path.resolve(entry);
  const code = bundle(file, options);
  const m = new Module(file, module);
  m.filename = file.replace(/\.ts$/, '.bundle.js');
  m.paths = Module._nodeModulePaths(path.dirname(file));
  process.setSourceMapsEnabled?.(true);
  m._compile(code, m.filename);
  return m.exports;
}

module.exports = { runTs };

if (require.main === module) {
  const [entry, ...rest] = process.argv.slice(2);
  process.argv = [process.argv[0], entry, ...rest];
  runTs(entry);
}
