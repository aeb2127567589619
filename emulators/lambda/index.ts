import { existsSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction, runInThisContext, constants as vmConstants } from 'node:vm';
import { bundleOf } from '../../scripts/bundles';
import { functionsOf, loadTemplate, type FunctionSpec, type Template } from '../../scripts/template';
import type { LambdaHandler } from '../stepfunctions';

/**
 * The access key id a function's AWS calls are signed with in the local world: its own, as each
 * function in AWS signs with its execution role's credentials. The emulators read it back from the
 * SigV4 `Authorization` header (callerOf), so every recorded call names the function that made it.
 */
export const accessKeyOf = (logicalId: string): string => `${FUNCTION_KEY_PREFIX}${logicalId}`;
const FUNCTION_KEY_PREFIX = 'KEYGATEFN-';

/** The function whose access key signed a call; undefined for anyone else (a test, the host's instance role). */
export const functionOfAccessKey = (accessKeyId: string | undefined): string | undefined =>
  accessKeyId?.startsWith(FUNCTION_KEY_PREFIX) ? accessKeyId.slice(FUNCTION_KEY_PREFIX.length) : undefined;

// Loaded bundles, one module scope per function and process (under jest: per test file), as a warm
// Lambda container keeps its module scope between invocations.
const loaded = new Map<string, Record<string, unknown>>();
let template: Template | undefined;
// Each function's own environment while a deployment is emulated (useFunctionEnvironments).
let environments: Record<string, Record<string, string>> | undefined;
let stackVariables = new Set<string>();

/**
 * Gives each function the environment its deployment sets (emulators/lambda/environment.ts) until
 * the returned function is called: a function then sees its own variables, not another function's
 * (a variable the template does not give it is unset, as in AWS), and this process's environment for
 * the rest (endpoints, region, credentials, the log level).
 */
export function useFunctionEnvironments(envs: Record<string, Record<string, string>>): () => void {
  environments = envs;
  stackVariables = new Set(Object.values(envs).flatMap((e) => Object.keys(e)));
  return () => {
    if (environments !== envs) return;
    environments = undefined;
    stackVariables = new Set();
  };
}

/** What a function's environment shows over this process's: its own variables, its access key, other functions' variables unset. */
function overlayOf(logicalId: string): Record<string, string | undefined> {
  const cached = overlays.get(logicalId);
  if (cached && cached.of === environments) return cached.overlay;
  const own = environments?.[logicalId] ?? {};
  const overlay = { ...Object.fromEntries([...stackVariables].map((k) => [k, undefined])), ...own, AWS_ACCESS_KEY_ID: accessKeyOf(logicalId) };
  overlays.set(logicalId, { of: environments, overlay });
  return overlay;
}
// One overlay per function and set of environments (the SDK reads the environment on every request).
const overlays = new Map<string, { of: typeof environments; overlay: Record<string, string | undefined> }>();

/**
 * The handler of a template function as `sam build` bundled it (.aws-sam/keygate/bundles, proven
 * identical by tests/integration/sam/sam-cli.test.ts), loaded on its first invocation the way Lambda's
 * Node.js runtime loads it: the file its Handler names, in a module scope of its own, the export its
 * Handler names. The bundle sees this process's environment, except its credentials: its own access
 * key (accessKeyOf), so the emulators can tell which function's role made each call.
 *
 * @example
 * const ensureGateway = deployedHandler('EnsureGatewayFunction');
 * await ensureGateway(event, context);
 */
export function deployedHandler(logicalId: string): DeployedHandler {
  const fn = functionsOf((template ??= loadTemplate())).find((f) => f.logicalId === logicalId);
  if (!fn) throw new TypeError(`template.yaml has no function ${logicalId}`);
  const invoke = async (event: unknown, context: unknown) => handlerOf(fn)(event, context);
  Object.defineProperty(invoke, 'name', { value: logicalId });
  return invoke;
}

/** A deployed function's handler: an event and a Lambda context in, its result (or its error) out. */
export type DeployedHandler = (event: any, context: any) => Promise<any>;

/**
 * Loads every function's bundle now (as warm containers): a run that measures its own time (the
 * rehearsal, the bench) then does not count a bundle's first load inside an execution, where the
 * world's time scale would multiply it.
 */
export function loadAllDeployed(): void {
  for (const fn of functionsOf((template ??= loadTemplate()))) handlerOf(fn);
}

/**
 * Forgets a loaded bundle (every bundle without an argument): its next invocation is a cold start in
 * a new container, which reads its environment and builds its clients and logger anew.
 */
export function coldStart(logicalId?: string): void {
  if (logicalId) loaded.delete(logicalId);
  else loaded.clear();
}

/**
 * The handler behind every `${…Arn}` placeholder that a state machine's DefinitionSubstitutions map to
 * a function (`EnsureGatewayFunctionArn: !GetAtt EnsureGatewayFunction.Arn`), read from template.yaml.
 */
export function deployedHandlers(): Record<string, LambdaHandler> {
  const out: Record<string, LambdaHandler> = {};
  for (const r of Object.values((template ??= loadTemplate()).Resources)) {
    if (r.Type !== 'AWS::Serverless::StateMachine') continue;
    for (const [placeholder, value] of Object.entries((r.Properties?.DefinitionSubstitutions as Record<string, unknown>) ?? {})) {
      const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | null)?.['Fn::GetAtt'];
      if (getAtt?.[1] === 'Arn' && template.Resources[getAtt[0]]?.Type === 'AWS::Serverless::Function') out[placeholder] ??= deployedHandler(getAtt[0]);
    }
  }
  return out;
}

function handlerOf(fn: FunctionSpec): (...args: unknown[]) => unknown {
  const bundle = bundleOf(fn);
  let exports = loaded.get(fn.logicalId);
  if (!exports) {
    if (!existsSync(bundle.file)) throw new Error(`${fn.logicalId}: no bundle at ${bundle.file}; build it with "npm run build" (the tests build it in their globalSetup)`);
    exports = load(bundle.file, fn.logicalId);
    loaded.set(fn.logicalId, exports);
  }
  const handler = exports[bundle.handlerExport];
  if (typeof handler !== 'function') throw new TypeError(`${fn.logicalId}: ${bundle.file} exports no function "${bundle.handlerExport}" (Handler ${fn.handler})`);
  return handler as (...args: unknown[]) => unknown;
}

/**
 * Evaluates a CommonJS bundle as Node's module loader would (the same wrapper arguments), plus one:
 * `process`, whose `env` reads this process's environment with the function's own access key on top.
 * A bundle has every package inside it; it may require Node's built-in modules only.
 */
function load(file: string, logicalId: string): Record<string, unknown> {
  quietDynamicImport();
  const ownProcess = processWith(() => overlayOf(logicalId));
  const nodeRequire = createRequire(file);
  const require = (id: string): unknown => {
    if (id === 'process' || id === 'node:process') return ownProcess;
    if (isBuiltin(id)) return nodeRequire(id);
    throw new Error(`${logicalId}: its bundle requires "${id}", which is not inside it (Lambda would fail the same way)`);
  };
  const module = { exports: {} as Record<string, unknown>, id: file, filename: file, loaded: false };
  const wrapper = compileFunction(readFileSync(file, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname', 'process'], {
    filename: file,
    // The AWS SDK imports node:http(s) lazily (import()), as a module Node's own loader resolves.
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  wrapper.call(module.exports, module.exports, require, module, file, dirname(file), ownProcess);
  module.loaded = true;
  return module.exports;
}

/**
 * This process, but an `env` that shows the overlay (read at every access: the world may change it)
 * over the live environment; an `undefined` in the overlay unsets the variable. A function's own
 * writes stay its own.
 */
function processWith(overlayNow: () => Record<string, string | undefined>): NodeJS.Process {
  const live = process.env;
  const written: Record<string, string | undefined> = {};
  const view = () => (Object.keys(written).length ? { ...overlayNow(), ...written } : overlayNow());
  const env = new Proxy(live, {
    get: (target, key) => {
      const own = view();
      return typeof key === 'string' && Object.hasOwn(own, key) ? own[key] : Reflect.get(target, key);
    },
    set: (_target, key, value) => ((written[String(key)] = String(value)), true),
    deleteProperty: (_target, key) => ((written[String(key)] = undefined), true),
    has: (target, key) => {
      const own = view();
      return typeof key === 'string' && Object.hasOwn(own, key) ? own[key] !== undefined : Reflect.has(target, key);
    },
    ownKeys: (target) => {
      const own = view();
      return [...new Set([...Reflect.ownKeys(target), ...Object.keys(own)])].filter((k) => typeof k !== 'string' || !Object.hasOwn(own, k) || own[k] !== undefined);
    },
    getOwnPropertyDescriptor: (target, key) => {
      const own = view();
      if (typeof key !== 'string' || !Object.hasOwn(own, key)) return Reflect.getOwnPropertyDescriptor(target, key);
      return own[key] === undefined ? undefined : { value: own[key], writable: true, enumerable: true, configurable: true };
    },
  });
  return new Proxy(process, { get: (target, key) => (key === 'env' ? env : Reflect.get(target, key, target)) });
}

let quieted = false;
/**
 * Node marks its default loader for code compiled by `vm` experimental and warns once per process, at
 * the first `import()` (the bundles import node:http(s) that way). That first import is made here,
 * with that one warning filtered out of this process's (the main realm's: jest gives its tests another
 * `process`) emitWarning; nothing else is silenced.
 */
function quietDynamicImport(): void {
  if (quieted) return;
  quieted = true;
  const main = runInThisContext('process') as NodeJS.Process;
  const emit = main.emitWarning;
  main.emitWarning = ((warning: string | Error, ...rest: unknown[]) => (String(warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER') ? undefined : (emit as (...a: unknown[]) => void).call(main, warning, ...rest))) as typeof emit;
  try {
    void (compileFunction('return import("node:os")', [], { importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER })() as Promise<unknown>).catch(() => undefined);
  } finally {
    main.emitWarning = emit;
  }
}
