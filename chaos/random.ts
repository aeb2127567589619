/**
 * A small seeded generator (mulberry32): the same seed gives the same campaign on any machine, so a
 * run is replayed from its seed alone. Not for anything secret.
 *
 * @example
 * const rng = new Random(0x2f6e1c3a);
 * rng.int(1, 6); // the same number on every machine
 */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new TypeError('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** `items` in an order the seed decides (Fisher–Yates): the order in which a campaign's runs take the fault kinds. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const rng = new Random(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The seed of run `index` of the campaign seeded `campaign` (a 32-bit mix of both). */
export function runSeed(campaign: number, index: number): number {
  let h = (campaign ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seed as the campaign prints it (and `--replay` reads it back): 0x and eight hex digits. */
export const showSeed = (seed: number): string => `0x${(seed >>> 0).toString(16).padStart(8, '0')}`;

export function parseSeed(text: string): number {
  const value = /^0x[0-9a-f]{1,8}$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new TypeError(`"${text}" is not a seed: give 0x and up to eight hex digits (as the campaign prints them), or a decimal number`);
  return value;
}
