import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

/** A tool an emulated MCP server target offers. */
export interface EmulatedTool {
  name: string;
  description: string;
  inputSchema: Record<string, z.ZodType>;
  /** Take whatever arguments the call gives (a stand-in's), not only the ones `inputSchema` names. */
  acceptsAnyArguments?: boolean;
  run(args: Record<string, unknown>): string;
}

/** The seed article's FastMCP server (tools add_numbers, multiply_numbers, greet_user). */
export const SEED_TOOLS: EmulatedTool[] = [
  {
    name: 'add_numbers',
    description: 'Add two numbers',
    inputSchema: { a: z.number(), b: z.number() },
    run: ({ a, b }) => String((a as number) + (b as number)),
  },
  {
    name: 'multiply_numbers',
    description: 'Multiply two numbers',
    inputSchema: { a: z.number(), b: z.number() },
    run: ({ a, b }) => String((a as number) * (b as number)),
  },
  {
    name: 'greet_user',
    description: 'Greet a user by name',
    inputSchema: { name: z.string() },
    run: ({ name }) => `Hello, ${String(name)}!`,
  },
];

/** How an emulated server got a tool: the seed article's own code, or a stand-in for a tool only the document names. */
export type ToolOrigin = 'seed' | 'stand-in';

/**
 * The tools each target's emulated MCP server offers for a document: the seed article's three, and
 * every other tool `verify.expectedTools` and `verify.toolCalls` name for that target (`<target>___<tool>`),
 * as a stand-in that takes any arguments and answers with the `expectText` of the document's call with
 * the same arguments (or "<tool>: ok"), so that a document written for other MCP servers rehearses as
 * it would against them. A tool named like a seed tool runs the seed's code, with the seed's arguments:
 * a call with others fails, which the rehearsal reports as the emulator's limit.
 *
 * @example
 * toolsFor('tickets', { expectedTools: ['tickets___create_ticket'], toolCalls: [] }).map((t) => t.name) // ['add_numbers', 'multiply_numbers', 'greet_user', 'create_ticket']
 */
export function toolsFor(
  target: string,
  verify: { expectedTools: readonly string[]; toolCalls: ReadonlyArray<{ tool: string; arguments: Record<string, unknown>; expectText?: string | undefined }> },
): Array<EmulatedTool & { origin: ToolOrigin }> {
  const prefix = `${target}${TOOL_SEPARATOR}`;
  const named = [...new Set([...verify.expectedTools, ...verify.toolCalls.map((c) => c.tool)])].filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
  const seed = SEED_TOOLS.map((t) => ({ ...t, origin: 'seed' as const }));
  const standIns = named
    .filter((name) => !SEED_TOOLS.some((t) => t.name === name))
    .map((name) => {
      const calls = verify.toolCalls.filter((c) => c.tool === `${prefix}${name}`);
      return {
        name,
        description: `Stand-in for ${name} (keygate rehearse: named by the document's verify section)`,
        inputSchema: {},
        acceptsAnyArguments: true,
        origin: 'stand-in' as const,
        run: (args: Record<string, unknown>) => calls.find((c) => isDeepStrictEqual(c.arguments, args))?.expectText ?? `${name}: ok`,
      };
    });
  return [...seed, ...standIns];
}

/** Between a target's name and its tool's in the names the gateway lists (agentcore-gateway-api.md). */
export const TOOL_SEPARATOR = '___';
