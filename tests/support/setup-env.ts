// Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 needs (toolchain-notes §3); the
// polyfill lives with the local state-machine runner, which needs it outside jest too.
import '../../emulators/stepfunctions/node20';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'eu-central-1';
