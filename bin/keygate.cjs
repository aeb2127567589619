#!/usr/bin/env node
'use strict';
// `keygate` CLI entry: bundles cli/main.ts with esbuild in memory and runs it (see run-ts.cjs).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Only `keygate rehearse` and `keygate world` need the emulators, peers and handlers (cli/run.ts
// imports them lazily): leaving them out halves the bundling time of every other command.
const lazy = ['rehearse', 'world'].includes(process.argv[2]) ? [] : ['./commands/rehearse', './commands/world'];
require('./run-ts.cjs').runTs(require('node:path').join(__dirname, '..', 'cli', 'main.ts'), { external: lazy });
