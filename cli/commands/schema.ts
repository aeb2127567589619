import * as z from 'zod/mini';
import { DesiredStateSchema } from '../../functions/core/desired/document';
import { EXIT, printJson, type CliIo } from '../io';

/**
 * The JSON Schema of the desired-state document, generated from the same zod schema the loader
 * uses (so the two cannot disagree). `schema/desired-state.schema.json` is this output, checked by a test.
 */
export function desiredStateJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(DesiredStateSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' }),
    $id: 'https://keygate.dev/schema/desired-state.schema.json',
  };
}

export function schemaText(): string {
  return `${JSON.stringify(desiredStateJsonSchema(), null, 2)}\n`;
}

/** `keygate schema [--json]`: the schema itself, or wrapped as `{format, ok, schema}`. */
export function schemaCommand(io: CliIo, opts: { json: boolean }): number {
  if (opts.json) printJson(io, 'keygate.schema/1', true, { schema: desiredStateJsonSchema() });
  else io.stdout(schemaText());
  return EXIT.ok;
}
