import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../support/paths';

// A pointer to a document that does not exist sends the reader nowhere: every `docs/<name>.md` that
// the example, the README, the docs, the state machines and the code's messages name must exist.

const files = (dir: string, ext: RegExp): string[] =>
  readdirSync(fromRoot(dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => ext.test(f))
    .map((f) => join(dir, f));

const sources = [
  'README.md',
  ...files('examples', /\.ya?ml$/),
  ...files('docs', /\.md$/),
  ...files('statemachine', /\.json$/),
  ...['cli', 'functions', 'emulators', 'scripts'].flatMap((d) => files(d, /\.(ts|py|sh)$/)),
];

describe('docs/… paths named in the project', () => {
  it('scans the example, README, docs and code', () => {
    expect(sources).toEqual(expect.arrayContaining(['README.md', join('examples', 'seed.yaml'), join('docs', 'rehearsal.md'), join('cli', 'run.ts')]));
  });

  it('names only documents that exist', () => {
    const broken = sources.flatMap((file) => [...new Set(readFileSync(fromRoot(file), 'utf8').match(/\bdocs\/[\w.-]+\.md\b/g) ?? [])].filter((doc) => !existsSync(fromRoot(doc))).map((doc) => `${file} → ${doc}`));
    expect(broken).toEqual([]);
  });
});
