import { SSMClient } from '@aws-sdk/client-ssm';
import { withAwsCallRecord } from '../aws-call';

// One instance per container, created on first use (AWS_ENDPOINT_URL_SSM is read then); its own module
// so that only the functions that talk to SSM bundle its client (see ../agentcore/client.ts).
let ssm: SSMClient | undefined;
export const ssmClient = (): SSMClient => (ssm ??= withAwsCallRecord(new SSMClient({})));

/** Forget the built client (tests and the rehearsal change endpoints between runs). */
export function resetSsmClient(): void {
  ssm = undefined;
}
