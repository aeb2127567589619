import { readFileSync } from 'node:fs';
import type { DesiredState } from '../../functions/core/desired/document';
import { validateDesiredStateShape } from '../../functions/core/desired/check';
import { parseDesiredStateText } from '../../functions/core/desired/load';
import { fromRoot } from './paths';

export const SEED_PATH = fromRoot('examples', 'seed.yaml');
export const seedText = (): string => readFileSync(SEED_PATH, 'utf8');

/** The seed document as parsed YAML (before defaults), a fresh copy on every call. */
export function seedRaw(): Record<string, any> {
  return parseDesiredStateText(seedText(), 'seed').value as Record<string, any>;
}

/** The seed document, validated, with defaults applied. */
export function seedDesired(): DesiredState {
  return validateDesiredStateShape(seedRaw(), 'seed');
}

/** The seed with one edit applied to its raw form, then validated (defaults applied). */
export function seedWith(edit: (raw: Record<string, any>) => void): DesiredState {
  const raw = seedRaw();
  edit(raw);
  return validateDesiredStateShape(raw, 'seed');
}
