import { z } from 'zod';

/** A tool an emulated MCP server target offers. */
export interface EmulatedTool {
  name: string;
  description: string;
  inputSchema: Record<string, z.ZodType>;
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
