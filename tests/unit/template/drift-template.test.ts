import { readFileSync } from 'node:fs';
import { loadTemplate } from '../../../scripts/template';
import { DRIFT_METRICS } from '../../../functions/core/drift/metrics';
import { loadAsl } from '../../support/asl';
import { matches, parameterStoreEvent, resolve, STACK_VALUES } from '../../support/eventbridge';
import { fromRoot, ROOT } from '../../support/paths';

// The drift detection resources in template.yaml: the schedule and the desired-state trigger, the
// guard's view of the stack's other state machines, the SNS option and the three alarms.

const template = loadTemplate(ROOT);
const resources = template.Resources;
const machine = resources.DriftStateMachine!;
const events = machine.Properties!.Events as Record<string, { Type: string; Properties: Record<string, any> }>;
const DESIRED_STATE = '/keygate/keygate-dev/desired-state';
const parameterEvent = parameterStoreEvent;

describe('drift triggers', () => {
  it('a ScheduleV2 on the DriftSchedule parameter (drift.schedule), FlexibleTimeWindow OFF as a string, not a YAML boolean', () => {
    expect(events.Schedule).toMatchObject({ Type: 'ScheduleV2', Properties: { ScheduleExpression: { Ref: 'DriftSchedule' }, FlexibleTimeWindow: { Mode: 'OFF' } } });
    expect(readFileSync(fromRoot('template.yaml'), 'utf8')).toMatch(/FlexibleTimeWindow:\n\s+Mode: 'OFF'/);
    expect(JSON.parse(events.Schedule!.Properties.Input)).toEqual({ trigger: 'schedule' });
  });

  it('keygate parameters derives DriftSchedule from the document', async () => {
    const { templateParameters } = await import('../../../cli/commands/parameters');
    const { seedDesired, seedRaw } = await import('../../support/seed');
    expect(templateParameters(seedDesired(), seedRaw()).DriftSchedule).toBe('rate(15 minutes)');
  });

  const pattern = resolve(events.DesiredStateChanged!.Properties.Pattern, { ...STACK_VALUES, DesiredStateParameter: DESIRED_STATE }) as Record<string, unknown>;

  it.each(['Create', 'Update', 'LabelParameterVersion'])('starts on %s of the stack\'s desired-state parameter, marked as a document change', (operation) => {
    expect(events.DesiredStateChanged!.Type).toBe('EventBridgeRule');
    expect(matches(pattern, parameterEvent(DESIRED_STATE, operation))).toBe(true);
    expect(JSON.parse(events.DesiredStateChanged!.Properties.Input)).toEqual({ trigger: 'desired-state-changed' });
  });

  it('ignores other parameters and deletions', () => {
    expect(matches(pattern, parameterEvent('/keygate/other-stack/desired-state', 'Update'))).toBe(false);
    expect(matches(pattern, parameterEvent(DESIRED_STATE, 'Delete'))).toBe(false);
  });

  it('the state machine waits for a deploy to start only when the input says the document changed', () => {
    const def = loadAsl('drift.asl.json');
    expect(def.States['Started By A Document Change?']!.Choices[0].Next).toBe('Let The Deploy Start');
    expect(JSON.stringify(def.States['Started By A Document Change?']!.Choices)).toContain('desired-state-changed');
  });
});

describe('drift guard', () => {
  it('watches every other state machine of the stack (a new one must be added here and to the guard)', () => {
    const env = (resources.GuardDriftRunFunction!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const watched = JSON.stringify(Object.entries(env).filter(([k]) => k.endsWith('_STATE_MACHINE_ARN')).map(([, v]) => v));
    const others = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::Serverless::StateMachine' && id !== 'DriftStateMachine').map(([id]) => id);
    expect(others.length).toBeGreaterThanOrEqual(4);
    for (const id of others) expect(watched).toContain(`"${id}"`);
  });

  it('the lease table has a string key and TTL on the lease expiry', () => {
    expect(resources.DriftLockTable!.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'lockId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
    });
  });
});

describe('drift report: SNS and alarms', () => {
  it('the SNS topic is optional: a parameter with an empty default, publish rights only when set', () => {
    expect(template.Parameters!.DriftNotificationTopicArn).toMatchObject({ Default: '' });
    expect(resources.PublishDriftReportTopicPolicy).toMatchObject({ Condition: 'HasDriftTopic', Properties: { Roles: [{ Ref: 'PublishDriftReportFunctionRole' }] } });
    expect((resources.PublishDriftReportFunction!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.DRIFT_TOPIC_ARN).toEqual({ Ref: 'DriftNotificationTopicArn' });
  });

  const dimensions = [
    { Name: 'service', Value: 'keygate' },
    { Name: DRIFT_METRICS.stackDimension, Value: { Ref: 'AWS::StackName' } },
  ];
  it.each([
    ['DriftFoundAlarm', DRIFT_METRICS.driftItems],
    ['DriftRepairFailedAlarm', DRIFT_METRICS.repairFailed],
  ])('%s watches the metric the publish function emits (%s, namespace and dimensions equal)', (id, metric) => {
    expect(resources[id]).toMatchObject({ Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: DRIFT_METRICS.namespace, MetricName: metric, Dimensions: dimensions, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' } });
  });

  it('DriftExecutionFailedAlarm watches the drift state machine\'s failed executions', () => {
    expect(resources.DriftExecutionFailedAlarm).toMatchObject({ Properties: { Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'DriftStateMachine' } }] } });
  });

  it('every drift alarm notifies the topic when there is one', () => {
    for (const id of ['DriftFoundAlarm', 'DriftRepairFailedAlarm', 'DriftExecutionFailedAlarm']) {
      expect(resources[id]!.Properties!.AlarmActions).toEqual({ 'Fn::If': ['HasDriftTopic', [{ Ref: 'DriftNotificationTopicArn' }], { Ref: 'AWS::NoValue' }] });
    }
  });

  it('observes and repairs the CIMD document with provisioning\'s function, observing from the realm command\'s file stat', () => {
    const def = JSON.parse(readFileSync(fromRoot('statemachine', 'drift.asl.json'), 'utf8'));
    expect(readFileSync(fromRoot('statemachine', 'drift.asl.json'), 'utf8')).not.toContain('JOIN POINT');
    expect(def.States['Observe CIMD Document']).toMatchObject({
      Resource: '${PublishCimdDocumentFunctionArn}',
      Parameters: { mode: 'observe', 'hostFiles.$': '$.observed.realm.hostFiles' },
      ResultPath: '$.observed.cimd',
    });
    // An S3 destination goes to its own publisher, chosen on Load Desired State's cimdDestination.
    expect(def.States['Observe CIMD Destination?'].Choices).toEqual([{ Variable: '$.loaded.cimdDestination', StringEquals: 's3', Next: 'Observe CIMD In S3' }]);
    expect(def.States['Observe CIMD Destination?'].Default).toBe('Observe CIMD Document');
    expect(def.States['Observe CIMD In S3']).toMatchObject({ Resource: '${PublishCimdToS3FunctionArn}', Parameters: { mode: 'observe' }, ResultPath: '$.observed.cimd', Next: def.States['Observe CIMD Document'].Next });
    expect(def.States['Observe CIMD In S3'].Parameters).not.toHaveProperty('hostFiles.$');
    const repair = def.States.Repair.Branches[2].States;
    expect(repair['CIMD Repair Needed?'].Choices).toEqual([
      { And: [{ Variable: '$.merged.repair.cimd', BooleanEquals: true }, { Variable: '$.loaded.cimdDestination', StringEquals: 's3' }], Next: 'Repair CIMD In S3' },
      { Variable: '$.merged.repair.cimd', BooleanEquals: true, Next: 'Repair CIMD Document' },
    ]);
    expect(repair['Repair CIMD Document']).toMatchObject({ Resource: '${PublishCimdDocumentFunctionArn}', Parameters: { mode: 'publish' } });
    expect(repair['Repair CIMD In S3']).toMatchObject({ Resource: '${PublishCimdToS3FunctionArn}', Parameters: { mode: 'publish' } });
  });
});
