// `npm run pin-executor`: writes the SHA-256 of functions/host/executor.py into the Command document in
// template.yaml (the document refuses any other executor). tests/unit/template/command-document.test.ts
// fails until the two agree.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root';

const root = packageRoot();
const digest = createHash('sha256').update(readFileSync(join(root, 'functions', 'host', 'executor.py'))).digest('hex');
const path = join(root, 'template.yaml');
const text = readFileSync(path, 'utf8');
const next = text.replace(/(- expected=)[0-9a-f]{64}/, `$1${digest}`);
if (next === text && !text.includes(`expected=${digest}`)) throw new Error('template.yaml: no "- expected=<sha256>" line in KeycloakCommandDocument');
writeFileSync(path, next);
process.stdout.write(`KeycloakCommandDocument pins executor ${digest}\n`);
