import { loadTemplate } from '../../../scripts/template';
import { ROOT } from '../../support/paths';

// Executions nobody starts by hand are watched by alarms, and every alarm reaches a person: the
// optional DriftNotificationTopicArn is the stack's one notification topic.

const template = loadTemplate(ROOT);
const resources = Object.entries(template.Resources);
const alarms = resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
const NOTIFY = { 'Fn::If': ['HasDriftTopic', [{ Ref: 'DriftNotificationTopicArn' }], { Ref: 'AWS::NoValue' }] };
/** AWS/States execution metrics (Step Functions, "Monitoring Step Functions metrics using CloudWatch"), by the outcome they count. */
const OUTCOMES = { failed: 'ExecutionsFailed', timedOut: 'ExecutionsTimedOut' } as const;

const startedByThemselves = resources.filter(([, r]) => r.Type === 'AWS::Serverless::StateMachine' && Object.keys((r.Properties!.Events as object | undefined) ?? {}).length > 0);

describe('alarms', () => {
  it('the state machines that events or schedules start are provisioning, rotation and drift', () => {
    expect(startedByThemselves.map(([id]) => id).sort()).toEqual(['DriftStateMachine', 'ProvisionStateMachine', 'RotateGatewayPolicyStateMachine']);
  });

  it.each(startedByThemselves.flatMap(([id, machine]) => Object.entries(OUTCOMES).map(([outcome, metric]) => [id, outcome, metric, machine.Condition] as const)))(
    '%s: an alarm on its %s executions (%s), existing whenever the state machine does',
    (id, _outcome, metric, condition) => {
      const watching = alarms.filter(([, a]) => a.Properties!.Namespace === 'AWS/States' && a.Properties!.MetricName === metric && JSON.stringify(a.Properties!.Dimensions) === JSON.stringify([{ Name: 'StateMachineArn', Value: { Ref: id } }]));
      expect(watching).toHaveLength(1);
      const [, alarm] = watching[0]!;
      expect(alarm.Condition).toBe(condition);
      expect(alarm.Properties).toMatchObject({ Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    },
  );

  it.each(alarms.map(([id, a]) => [id, a] as const))('%s notifies the stack\'s topic when there is one', (_id, alarm) => {
    expect(alarm.Properties!.AlarmActions).toEqual(NOTIFY);
  });

  it('the topic stays optional', () => {
    expect(template.Parameters!.DriftNotificationTopicArn).toMatchObject({ Default: '' });
    expect(template.Conditions!.HasDriftTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DriftNotificationTopicArn' }, ''] }] });
  });
});
