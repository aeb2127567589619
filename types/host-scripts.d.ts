// Host scripts and emulator helpers are kept as real files and bundled as text (esbuild `.py`/`.sh`
// loaders: template.yaml BuildProperties for the functions, bin/run-ts.cjs for the tooling;
// tests/support/text-transform.cjs under jest).
declare module '*.py' {
  const text: string;
  export default text;
}
declare module '*.sh' {
  const text: string;
  export default text;
}
