import type { Context } from 'aws-lambda';
import { deployedHandler } from '../../emulators/lambda';

/** A frozen fake Lambda context (Powertools testing style). */
export const lambdaContext: Context = Object.freeze({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'keygate-test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:111122223333:function:keygate-test-function',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/keygate-test-function',
  logStreamName: '2026/11/21/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/**
 * A function of template.yaml as deployed: its bundle as `sam build` makes it (emulators/lambda),
 * typed for `invoke`.
 */
export const deployed = <I = any, O = any>(logicalId: string) => deployedHandler(logicalId) as (event: I, context: Context) => Promise<O>;

/** Invokes a middy handler the way the Lambda runtime does. */
export function invoke<I, O>(handler: (event: I, context: Context) => Promise<O>, event: I): Promise<O> {
  return handler(event, lambdaContext);
}
