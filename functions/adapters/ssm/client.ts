import { SSMClient } from '@aws-sdk/client-ssm';
import { perEnvironment, sdkClientEnv } from '../../platform/env';
import { withAwsCallRecord } from '../aws-call';

// One instance per container and configuration (see ../agentcore/client.ts); its own module so that
// only the functions that talk to SSM bundle its client.
export const ssmClient = /* @__PURE__ */ perEnvironment(/* @__PURE__ */ sdkClientEnv('SSM'), () => withAwsCallRecord(new SSMClient({})));
