import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { InvalidArn, ListExecutionsCommand, SFNClient, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { InvalidParameterException, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { start as startDynamoDb, type DynamoDbEmulator } from '../../../emulators/dynamodb';
import { start as startSns, type SnsEmulator } from '../../../emulators/sns';
import { start as startSfn, type StepFunctionsApi } from '../../../emulators/stepfunctions/api';
import { FAKE_CREDENTIALS } from '../../support/capture-http';

// The small emulators drift detection added to the local world, driven by the real SDK clients:
// what the SDK sends must be accepted, and what they answer must parse into the SDK's own shapes and
// exception classes.

const REGION = 'ap-northeast-1';
let sfn: StepFunctionsApi;
let db: DynamoDbEmulator;
let sns: SnsEmulator;

beforeAll(async () => {
  [sfn, db, sns] = await Promise.all([startSfn({ region: REGION }), startDynamoDb({ tables: { locks: 'lockId' } }), startSns({ region: REGION })]);
});
afterAll(() => Promise.all([sfn.close(), db.close(), sns.close()]));

describe('Step Functions: ListExecutions', () => {
  const client = () => new SFNClient({ endpoint: sfn.endpoint, region: REGION, credentials: FAKE_CREDENTIALS });

  it('lists RUNNING executions newest first, with dates as Date, and pages with nextToken', async () => {
    // Prepare
    const arn = sfn.stateMachineArn('keygate-dev-Provision');
    const first = sfn.startExecution(arn, 'first');
    await new Promise((r) => setTimeout(r, 5));
    sfn.startExecution(arn, 'second');
    sfn.startExecution(arn, 'third');
    sfn.stopExecution(first.executionArn, 'SUCCEEDED');
    // Act
    const page1 = await client().send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING', maxResults: 1 }));
    const page2 = await client().send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING', maxResults: 1, nextToken: page1.nextToken }));
    const all = await client().send(new ListExecutionsCommand({ stateMachineArn: arn }));
    // Assess
    expect(page1.executions!.map((e) => [e.name, e.status])).toEqual([['third', 'RUNNING']]);
    expect(page1.executions![0]!.startDate).toBeInstanceOf(Date);
    expect(page2.executions!.map((e) => e.name)).toEqual(['second']);
    expect(page2.nextToken).toBeUndefined();
    expect(all.executions!.map((e) => [e.name, e.status, e.stopDate instanceof Date])).toEqual([['third', 'RUNNING', false], ['second', 'RUNNING', false], ['first', 'SUCCEEDED', true]]);
  });

  it('answers the modeled errors for an unknown state machine and a malformed ARN', async () => {
    await expect(client().send(new ListExecutionsCommand({ stateMachineArn: `arn:aws:states:${REGION}:111122223333:stateMachine:nope` }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(client().send(new ListExecutionsCommand({ stateMachineArn: 'not-an-arn' }))).rejects.toBeInstanceOf(InvalidArn);
  });
});

describe('DynamoDB: conditional PutItem and DeleteItem', () => {
  const client = () => new DynamoDBClient({ endpoint: db.endpoint, region: REGION, credentials: FAKE_CREDENTIALS });
  const put = (owner: string, expiresAt: string, now: string) =>
    client().send(
      new PutItemCommand({
        TableName: 'locks',
        Item: { lockId: { S: 'drift' }, owner: { S: owner }, expiresAt: { S: expiresAt } },
        ConditionExpression: 'attribute_not_exists(lockId) OR expiresAt < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':now': { S: now }, ':owner': { S: owner } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );

  it('writes when absent, refuses a second holder (with the old item), lets the same holder and an expired lease through', async () => {
    await put('run-1', '2026-11-21T11:00:00.000Z', '2026-11-21T10:00:00.000Z');
    const refused = await put('run-2', '2026-11-21T11:05:00.000Z', '2026-11-21T10:05:00.000Z').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConditionalCheckFailedException);
    expect((refused as ConditionalCheckFailedException).Item).toMatchObject({ owner: { S: 'run-1' } });
    await put('run-1', '2026-11-21T11:06:00.000Z', '2026-11-21T10:06:00.000Z');
    await put('run-3', '2026-11-21T13:00:00.000Z', '2026-11-21T12:00:00.000Z');
    const got = await client().send(new GetItemCommand({ TableName: 'locks', Key: { lockId: { S: 'drift' } } }));
    expect(got.Item?.owner).toEqual({ S: 'run-3' });
  });

  it('deletes only for the holder', async () => {
    const del = (owner: string) =>
      client().send(new DeleteItemCommand({ TableName: 'locks', Key: { lockId: { S: 'drift' } }, ConditionExpression: '#owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': { S: owner } } }));
    await expect(del('run-1')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await del('run-3');
    expect(db.item('locks', 'drift')).toBeUndefined();
    await expect(del('run-3')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('rejects an unknown table, unused or undefined placeholders, and a bad expression as DynamoDB does', async () => {
    await expect(client().send(new GetItemCommand({ TableName: 'nope', Key: { lockId: { S: 'x' } } }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const bad = (ConditionExpression: string, values: Record<string, { S: string }>) =>
      client()
        .send(new PutItemCommand({ TableName: 'locks', Item: { lockId: { S: 'y' } }, ConditionExpression, ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}) }))
        .catch((e: Error) => `${e.name}: ${e.message}`);
    expect(await bad('attribute_not_exists(lockId)', { ':x': { S: '1' } })).toBe('ValidationException: Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}');
    expect(await bad('expiresAt < :now', {})).toBe('ValidationException: Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :now');
    expect(await bad('expiresAt <', {})).toMatch(/^ValidationException: Invalid ConditionExpression: Syntax error/);
    expect(db.item('locks', 'y')).toBeUndefined();
  });
});

describe('SNS: Publish (query protocol)', () => {
  const client = () => new SNSClient({ endpoint: sns.endpoint, region: REGION, credentials: FAKE_CREDENTIALS });

  it('publishes to a topic and returns the MessageId the emulator recorded', async () => {
    const topic = sns.createTopic('keygate-drift');
    const out = await client().send(new PublishCommand({ TopicArn: topic, Subject: 'keygate drift: 1 item drifted', Message: 'line 1\nline 2 & <more>' }));
    expect(sns.messages.at(-1)).toEqual({ topicArn: topic, subject: 'keygate drift: 1 item drifted', message: 'line 1\nline 2 & <more>', messageId: out.MessageId });
  });

  it('maps a missing topic and an invalid subject to the SDK exceptions', async () => {
    await expect(client().send(new PublishCommand({ TopicArn: `arn:aws:sns:${REGION}:111122223333:missing`, Message: 'x' }))).rejects.toBeInstanceOf(NotFoundException);
    const topic = sns.createTopic('t2');
    await expect(client().send(new PublishCommand({ TopicArn: topic, Subject: 'two\nlines', Message: 'x' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(client().send(new PublishCommand({ TopicArn: topic, Subject: 'x'.repeat(100), Message: 'x' }))).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
