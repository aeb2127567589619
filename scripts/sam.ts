// `npm run sam -- <args>`: the AWS SAM CLI pinned in scripts/toolchain/python-tools.txt (installed on
// first use into .aws-sam/keygate/venv), telemetry off. `npm run sam -- build`, `npm run sam -- deploy`, …
import { spawnSync } from 'node:child_process';
import { packageRoot } from './package-root';
import { pythonTools } from './toolchain/python-tools';

const { sam, env } = pythonTools();
const result = spawnSync(sam, process.argv.slice(2), { stdio: 'inherit', env, cwd: process.cwd() || packageRoot() });
process.exitCode = result.status ?? 1;
