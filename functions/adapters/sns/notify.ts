import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { perEnvironment, sdkClientEnv } from '../../platform/env';
import { withAwsCallRecord } from '../aws-call';

// One per container and configuration (../agentcore/client.ts), in its own module so that only the
// function that notifies bundles the SNS client.
export const snsClient = /* @__PURE__ */ perEnvironment(/* @__PURE__ */ sdkClientEnv('SNS'), () => withAwsCallRecord(new SNSClient({})));

/** Publishes a plain-text message (e-mail subscribers see `subject` as the mail subject). Returns the MessageId. */
export async function publishMessage(topicArn: string, subject: string, message: string, opts: { client?: SNSClient; signal?: AbortSignal } = {}): Promise<string> {
  const out = await (opts.client ?? snsClient()).send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }), { abortSignal: opts.signal });
  return String(out.MessageId);
}
