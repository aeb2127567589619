import { parseArgs } from 'node:util';
import { closest } from '../functions/core/desired/paths';
import { UsageError } from './io';
import type { FlagSpec } from './spec';

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/**
 * The flags of one command, checked in keygate's words: an unknown flag with a "did you mean", a flag
 * without its value, a value given to a switch, a flag given twice (none but `multiple` ones may be:
 * "last wins" would silently drop the first `--config`), a stray argument. Node's parseArgs only
 * splits the tokens (its strict mode's messages are about parseArgs, not keygate).
 *
 * @example
 * parseFlags('lint', COMMAND_SPECS.lint.flags, ['--config', 'a.yaml', '--json']) // { config: 'a.yaml', json: true }
 */
export function parseFlags(command: string, flags: Record<string, FlagSpec>, args: string[]): FlagValues & { help?: boolean } {
  const options = { ...Object.fromEntries(Object.entries(flags).map(([name, f]) => [name, { type: f.type }])), help: { type: 'boolean' as const, short: 'h' } };
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const values: FlagValues & { help?: boolean } = {};
  const known = Object.keys(flags);
  const seen = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      const looksLikeFile = /\.(ya?ml|json)$/i.test(token.value) && 'config' in flags;
      throw new UsageError(`unexpected argument "${token.value}": keygate ${command} takes flags only${looksLikeFile ? ` (did you mean --config ${token.value}?)` : ''}`);
    }
    const { name, rawName } = token;
    if (name === 'help') {
      values.help = true;
      continue;
    }
    const flag = flags[name];
    if (!flag || !rawName.startsWith('--')) throw unknownFlag(command, rawName, known);
    const value = token.value;
    if (flag.type === 'boolean') {
      if (value !== undefined) throw new UsageError(`--${name} takes no value (given "${value}"): write --${name} alone`);
      values[name] = true;
      continue;
    }
    // `--config --json`: parseArgs hands over the next flag as the value; that is a missing value.
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value (--${name} ${flag.value ?? 'VALUE'}): ${flag.help}`);
    }
    if (flag.multiple) {
      values[name] = [...((values[name] as string[] | undefined) ?? []), value];
      continue;
    }
    const before = seen.get(name);
    if (before !== undefined) throw new UsageError(`--${name} is given twice ("${before}" and "${value}"): give it once`);
    seen.set(name, value);
    values[name] = value;
  }
  return values;
}

function unknownFlag(command: string, raw: string, known: string[]): UsageError {
  const bare = raw.replace(/^-+/, '');
  // `-c`: the one flag that starts with the letter, if there is one.
  const byLetter = bare.length === 1 ? known.filter((k) => k.startsWith(bare)) : [];
  const suggestion = byLetter.length === 1 ? byLetter[0] : closest(bare, known);
  const hint = suggestion ? `did you mean --${suggestion}?` : known.length ? `its flags: ${known.map((k) => `--${k}`).join(', ')}` : 'it takes no flags';
  return new UsageError(`unknown flag ${raw} for keygate ${command} (${hint}); keygate ${command} --help lists its flags`);
}
