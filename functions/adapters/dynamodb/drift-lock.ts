import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DriftLease } from '../../core/drift/guard';
import { perEnvironment, sdkClientEnv } from '../../platform/env';
import { withAwsCallRecord } from '../aws-call';

// The drift run's lease (ssm-and-events.md §8, "DynamoDB lock"): one item, written only if nobody
// holds it, its holder's lease has expired, or this very execution holds it already (a retried
// invocation must not lock itself out). Released by its holder only.
export const dynamoDbClient = /* @__PURE__ */ perEnvironment(/* @__PURE__ */ sdkClientEnv('DYNAMODB'), () => withAwsCallRecord(new DynamoDBClient({})));

type Opts = { client?: DynamoDBClient; signal?: AbortSignal };

export type Acquired = { acquired: true } | { acquired: false; holder: { owner: string; acquiredAt: string | null; expiresAt: string } | null };

export async function acquireLease(table: string, lease: DriftLease, now: Date, opts: Opts = {}): Promise<Acquired> {
  try {
    await (opts.client ?? dynamoDbClient()).send(
      new PutItemCommand({
        TableName: table,
        Item: {
          lockId: { S: lease.lockId },
          owner: { S: lease.owner },
          acquiredAt: { S: lease.acquiredAt },
          expiresAt: { S: lease.expiresAt },
          expiresAtEpoch: { N: String(lease.expiresAtEpoch) },
        },
        // OWNER is a DynamoDB reserved word: it goes through an expression attribute name.
        ConditionExpression: 'attribute_not_exists(lockId) OR expiresAt < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':now': { S: now.toISOString() }, ':owner': { S: lease.owner } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      { abortSignal: opts.signal },
    );
    return { acquired: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const item = error.Item;
    return { acquired: false, holder: item?.owner?.S ? { owner: item.owner.S, acquiredAt: item.acquiredAt?.S ?? null, expiresAt: item.expiresAt?.S ?? '' } : null };
  }
}

/** Deletes the lease if `owner` holds it; 'not-held' when it expired and someone else took it, or it is gone. */
export async function releaseLease(table: string, lockId: string, owner: string, opts: Opts = {}): Promise<'released' | 'not-held'> {
  try {
    await (opts.client ?? dynamoDbClient()).send(
      new DeleteItemCommand({
        TableName: table,
        Key: { lockId: { S: lockId } },
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': { S: owner } },
      }),
      { abortSignal: opts.signal },
    );
    return 'released';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'not-held';
    throw error;
  }
}
