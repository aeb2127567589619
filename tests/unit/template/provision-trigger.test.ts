import { loadTemplate } from '../../../scripts/template';
import { matches, resolve } from '../../support/eventbridge';
import { ROOT } from '../../support/paths';

// The rule that starts provisioning after `sam deploy`, checked against CloudFormation's own event
// shape (ssm-and-events.md §6) with the small EventBridge pattern matcher in tests/support.

const stackEvent = (stack: string, status: string) => ({
  version: '0',
  'detail-type': 'CloudFormation Stack Status Change',
  source: 'aws.cloudformation',
  account: '111122223333',
  region: 'ap-northeast-1',
  resources: [`arn:aws:cloudformation:ap-northeast-1:111122223333:stack/${stack}/6b1e0c40-0000-11ef-8000-0a1b2c3d4e5f`],
  detail: {
    'stack-id': `arn:aws:cloudformation:ap-northeast-1:111122223333:stack/${stack}/6b1e0c40-0000-11ef-8000-0a1b2c3d4e5f`,
    'status-details': { status, 'status-reason': '' },
  },
});

describe('provisioning trigger', () => {
  const machine = loadTemplate(ROOT).Resources.ProvisionStateMachine!;
  const event = (machine.Properties!.Events as Record<string, { Type: string; Properties: { Pattern: Record<string, unknown>; Input: string } }>).StackDeployed!;
  const pattern = resolve(event.Properties.Pattern) as Record<string, unknown>;

  it('is an EventBridge rule on the provisioning state machine with an input the load step accepts', () => {
    expect(event.Type).toBe('EventBridgeRule');
    expect(JSON.parse(event.Properties.Input)).not.toHaveProperty('desiredState');
  });

  it.each(['CREATE_COMPLETE', 'UPDATE_COMPLETE'])('starts on this stack reaching %s', (status) => {
    expect(matches(pattern, stackEvent('keygate-dev', status))).toBe(true);
  });

  it.each([
    ['an in-progress status', stackEvent('keygate-dev', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')],
    ['a rollback', stackEvent('keygate-dev', 'UPDATE_ROLLBACK_COMPLETE')],
    ['another stack', stackEvent('keygate-prod', 'UPDATE_COMPLETE')],
    ['a stack whose name starts alike', stackEvent('keygate-dev-network', 'UPDATE_COMPLETE')],
  ])('ignores %s', (_name, e) => {
    expect(matches(pattern, e)).toBe(false);
  });
});
