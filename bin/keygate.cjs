#!/usr/bin/env node
'use strict';
// `keygate` CLI entry: bundles cli/main.ts with esbuild in memory and runs it (see run-ts.cjs).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('./run-ts.cjs').runTs(require('node:path').join(__dirname, '..', 'cli', 'main.ts'));
