import { readFileSync } from 'node:fs';
import { DIAGNOSES } from '../../../functions/core/verify/diagnoses';
import { fromRoot } from '../../support/paths';

const doc = readFileSync(fromRoot('docs', 'verification.md'), 'utf8');

describe('docs/verification.md', () => {
  it('lists every diagnosis verification can name, with its cause', () => {
    const missing = Object.entries(DIAGNOSES).filter(([name, cause]) => !doc.includes(`| \`${name}\` | ${cause.replace(/\|/g, '\\|')} |`));
    expect(missing.map(([name]) => name)).toEqual([]);
  });

  it('shows the exact "Verify Chain" Task state of statemachine/provision.asl.json', () => {
    const section = doc.slice(doc.indexOf('## The "Verify Chain" Task state'));
    const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    const provision = JSON.parse(readFileSync(fromRoot('statemachine', 'provision.asl.json'), 'utf8'));
    expect(JSON.parse(block ?? 'null')).toEqual({ 'Verify Chain': provision.States['Verify Chain'] });
  });
});
