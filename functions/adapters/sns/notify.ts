import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { withAwsCallRecord } from '../aws-call';

// Created on first use (AWS_ENDPOINT_URL_SNS is read then), in its own module so that only the
// function that notifies bundles the SNS client.
let sns: SNSClient | undefined;
export const snsClient = (): SNSClient => (sns ??= withAwsCallRecord(new SNSClient({})));

/** Forget the built client (tests and the rehearsal change endpoints between runs). */
export function resetSnsClient(): void {
  sns = undefined;
}

/** Publishes a plain-text message (e-mail subscribers see `subject` as the mail subject). Returns the MessageId. */
export async function publishMessage(topicArn: string, subject: string, message: string, opts: { client?: SNSClient; signal?: AbortSignal } = {}): Promise<string> {
  const out = await (opts.client ?? snsClient()).send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }), { abortSignal: opts.signal });
  return String(out.MessageId);
}
