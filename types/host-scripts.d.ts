// Host scripts and emulator helpers are kept as real files and bundled as text (esbuild `.sh`/`.py`
// loaders in scripts/template.ts and bin/run-ts.cjs; tests/support/text-transform.cjs under jest).
declare module '*.py' {
  const text: string;
  export default text;
}
declare module '*.sh' {
  const text: string;
  export default text;
}
