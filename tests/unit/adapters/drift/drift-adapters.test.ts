import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand, SFNClient, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { acquireLease, releaseLease } from '../../../../functions/adapters/dynamodb/drift-lock';
import { publishMessage } from '../../../../functions/adapters/sns/notify';
import { runningExecutions } from '../../../../functions/adapters/stepfunctions/executions';
import { leaseFor } from '../../../../functions/core/drift/guard';

const db = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
const meta = { $metadata: {} };
const NOW = new Date('2026-11-21T10:00:00Z');
const ME = 'arn:aws:states:ap-northeast-1:111122223333:execution:keygate-dev-DriftStateMachine:run-2';
const PROVISION = 'arn:aws:states:ap-northeast-1:111122223333:stateMachine:keygate-dev-ProvisionStateMachine';

beforeEach(() => {
  db.reset();
  sfn.reset();
  sns.reset();
});

describe('drift lease (DynamoDB)', () => {
  it('puts the lease only if nobody holds it, it expired, or this execution holds it', async () => {
    db.on(PutItemCommand).resolves({});
    await expect(acquireLease('locks', leaseFor(ME, NOW, 3900), NOW)).resolves.toEqual({ acquired: true });
    expect(db).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'locks',
      Item: { lockId: { S: 'drift' }, owner: { S: ME }, acquiredAt: { S: '2026-11-21T10:00:00.000Z' }, expiresAt: { S: '2026-11-21T11:05:00.000Z' }, expiresAtEpoch: { N: String(Date.parse('2026-11-21T11:05:00Z') / 1000) } },
      ConditionExpression: 'attribute_not_exists(lockId) OR expiresAt < :now OR #owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':now': { S: '2026-11-21T10:00:00.000Z' }, ':owner': { S: ME } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('a live lease of another execution: not acquired, with its holder', async () => {
    db.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed', Item: { owner: { S: 'arn:…:run-1' }, expiresAt: { S: '2026-11-21T10:30:00.000Z' } } }));
    await expect(acquireLease('locks', leaseFor(ME, NOW, 3900), NOW)).resolves.toEqual({ acquired: false, holder: { owner: 'arn:…:run-1', acquiredAt: null, expiresAt: '2026-11-21T10:30:00.000Z' } });
  });

  it('lets other errors through (a missing table is a deployment problem, not a skip)', async () => {
    db.on(PutItemCommand).rejects(new ResourceNotFoundException({ ...meta, message: 'Requested resource not found' }));
    await expect(acquireLease('locks', leaseFor(ME, NOW, 3900), NOW)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('releases only its own lease; one that expired and moved on is "not-held"', async () => {
    db.on(DeleteItemCommand).resolvesOnce({}).rejectsOnce(new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' }));
    await expect(releaseLease('locks', 'drift', ME)).resolves.toBe('released');
    await expect(releaseLease('locks', 'drift', ME)).resolves.toBe('not-held');
    expect(db).toHaveReceivedCommandWith(DeleteItemCommand, { Key: { lockId: { S: 'drift' } }, ConditionExpression: '#owner = :owner', ExpressionAttributeValues: { ':owner': { S: ME } } });
  });
});

describe('running executions (Step Functions)', () => {
  it('asks for RUNNING executions and names their state machine', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: `${PROVISION}:p-1`, stateMachineArn: PROVISION, name: 'p-1', status: 'RUNNING', startDate: NOW }] });
    await expect(runningExecutions(PROVISION)).resolves.toEqual([{ stateMachine: 'keygate-dev-ProvisionStateMachine', name: 'p-1', startDate: '2026-11-21T10:00:00.000Z' }]);
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: PROVISION, statusFilter: 'RUNNING', maxResults: 10 });
  });

  it('lets a missing state machine through as the SDK error', async () => {
    sfn.on(ListExecutionsCommand).rejects(new StateMachineDoesNotExist({ ...meta, message: 'State Machine Does Not Exist' }));
    await expect(runningExecutions(PROVISION)).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });
});

describe('drift summary (SNS)', () => {
  it('publishes subject and message to the topic and returns the MessageId', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await expect(publishMessage('arn:aws:sns:ap-northeast-1:111122223333:drift', 'keygate drift: 1 item drifted on gw', 'text')).resolves.toBe('m-1');
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: 'arn:aws:sns:ap-northeast-1:111122223333:drift', Subject: 'keygate drift: 1 item drifted on gw', Message: 'text' });
  });

  it('lets a deleted topic through as the SDK error (the run fails and the execution alarm fires)', async () => {
    sns.on(PublishCommand).rejects(new NotFoundException({ ...meta, message: 'Topic does not exist' }));
    await expect(publishMessage('arn:aws:sns:ap-northeast-1:111122223333:drift', 's', 'm')).rejects.toBeInstanceOf(NotFoundException);
  });
});
