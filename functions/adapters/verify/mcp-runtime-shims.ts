import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';

/**
 * What the Lambda bundles get in place of `@modelcontextprotocol/client/_shims` (template.yaml, every
 * function's `BuildProperties.Alias`; only Verify Chain imports the MCP client): the MCP client's runtime shim with the SDK's own
 * `@cfworker/json-schema` validator (its published `validators/cf-worker` export) instead of ajv.
 *
 * The SDK picks its shim by export condition: Node gets AJV + ajv-formats, workerd and browsers the
 * cfworker validator (https://github.com/modelcontextprotocol/typescript-sdk/pull/2088). The Client
 * imports the shim statically, so passing `jsonSchemaValidator` leaves ajv in the bundle: 137 KiB of
 * the function's 905 and about 12 ms of its cold load, for a validator the client uses only on tools
 * that declare an `outputSchema`. The workerd condition would bring the same validator, but its shim
 * also builds every protocol schema up front (slower). The cfworker validator interprets schemas
 * (ajv compiles each to code with `new Function`) and defaults to JSON Schema 2020-12, the dialect MCP
 * tool schemas default to (SEP-2106), as the SDK's Node default does since it moved to Ajv2020.
 *
 * `CORS_IS_POSSIBLE` is the Node shim's value: in Lambda a fetch TypeError is a network error.
 * tests/unit/adapters/verify/mcp-runtime-shims.test.ts holds this module's exports to the Node shim's, and the
 * template test to a Verify Chain bundle with no ajv in it.
 *
 * @example
 * new Client(info) // in the Verify Chain bundle: its default validator is a CfWorkerJsonSchemaValidator
 */
export const CORS_IS_POSSIBLE = false;
export { CfWorkerJsonSchemaValidator as DefaultJsonSchemaValidator };
