import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, serveAwsJson, type Operation } from '../aws-json';

export { AwsError, type Operation };

/** SSM on the wire: awsJson1_1, `x-amz-target: AmazonSSM.<Operation>`, signed for `ssm`, bare error codes. */
export const SSM_SERVICE = { targetPrefix: 'AmazonSSM.', signingName: 'ssm', contentType: 'application/x-amz-json-1.1' } as const;

/** Serves `POST /` with `x-amz-target: AmazonSSM.<Operation>`, checking what the SDK always sends. */
export function serveJson(req: IncomingMessage, res: ServerResponse, operations: Record<string, Operation>, onCall: (operation: string, input: unknown, caller: string) => void): Promise<void> {
  return serveAwsJson(SSM_SERVICE, req, res, operations, onCall);
}
