import { SSMClient } from '@aws-sdk/client-ssm';
import { perEnvironment, sdkClientEnv } from '../../platform/env';

// One instance per container and configuration (see ../agentcore/client.ts); its own module so that
// only the functions that talk to SSM bundle its client.
export const ssmClient = perEnvironment(sdkClientEnv('SSM'), () => new SSMClient({}));
