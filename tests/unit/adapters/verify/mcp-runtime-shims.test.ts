import * as nodeShims from '@modelcontextprotocol/client/_shims';
import * as bundled from '../../../../functions/adapters/verify/mcp-runtime-shims';

// The Verify Chain bundle's MCP runtime shim (template.yaml Alias; functions/adapters/verify/mcp-runtime-shims.ts)
// stands in for the SDK's Node shim: the same exports, and a validator that judges tool outputs as the
// Node shim's ajv does.

type Validator = { getValidator(schema: Record<string, unknown>): (input: unknown) => { valid: boolean } };
const ajv = new (nodeShims.DefaultJsonSchemaValidator as unknown as new () => Validator)();
const cfworker = new (bundled.DefaultJsonSchemaValidator as unknown as new () => Validator)();

// Tool output schemas as gateways declare them (MCP 2025-06-18 `outputSchema`; 2020-12 by default, SEP-2106).
const CASES: Array<[string, Record<string, unknown>, unknown[]]> = [
  ['required and types', { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] }, [{ sum: 3 }, { sum: '3' }, {}, { sum: 3, extra: true }]],
  ['additionalProperties false', { type: 'object', properties: { id: { type: 'string' } }, additionalProperties: false }, [{ id: 'a' }, { id: 'a', other: 1 }]],
  ['2020-12 prefixItems', { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] }, [['a', 1], [1, 'a']]],
  ['enum and const', { type: 'object', properties: { state: { enum: ['READY', 'FAILED'] }, v: { const: 1 } } }, [{ state: 'READY', v: 1 }, { state: 'CREATING' }, { v: 2 }]],
  ['nested items and minimum', { type: 'object', properties: { rows: { type: 'array', items: { type: 'integer', minimum: 0 } } } }, [{ rows: [0, 5] }, { rows: [-1] }, { rows: [1.5] }]],
  ['formats', { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, url: { type: 'string', format: 'uri' } } }, [{ at: '2026-12-06T14:00:00Z', url: 'https://example.com/x' }, { at: 'yesterday' }, { url: 'not a uri' }]],
];

describe('the MCP runtime shim in the Verify Chain bundle', () => {
  it('exports what the SDK\'s Node shim exports, with the Node value of CORS_IS_POSSIBLE', () => {
    const names = (m: object) => Object.keys(m).filter((k) => k !== 'default').sort(); // 'default': CommonJS interop
    expect(names(bundled)).toEqual(names(nodeShims));
    expect(bundled.CORS_IS_POSSIBLE).toBe(nodeShims.CORS_IS_POSSIBLE);
    expect(bundled.DefaultJsonSchemaValidator).not.toBe(nodeShims.DefaultJsonSchemaValidator);
  });

  it.each(CASES)('judges tool outputs as the Node shim does: %s', (_name, schema, outputs) => {
    const viaAjv = ajv.getValidator(schema);
    const viaCfworker = cfworker.getValidator(schema);
    const verdicts = outputs.map((o) => [viaAjv(o).valid, viaCfworker(o).valid]);
    expect(verdicts.map(([a, c]) => c === a)).toEqual(outputs.map(() => true));
    // Each case has an output both accept and one both refuse: the comparison is not vacuous.
    expect(verdicts.map(([a]) => a)).toEqual(expect.arrayContaining([true, false]));
  });
});
