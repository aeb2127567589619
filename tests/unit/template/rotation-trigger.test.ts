import { loadTemplate } from '../../../scripts/template';
import { matches, parameterStoreEvent, resolve, STACK_VALUES } from '../../support/eventbridge';
import { ROOT } from '../../support/paths';

// The rule that starts a rotation when the network stack writes a new VPC endpoint id, checked
// against Parameter Store's own event shape (ssm-and-events.md §6).

const template = loadTemplate(ROOT);
const machine = template.Resources.RotateGatewayPolicyStateMachine!;
const rule = (machine.Properties!.Events as Record<string, { Type: string; Properties: { Pattern: Record<string, unknown> } }>).VpcEndpointParameterChanged!;
const pattern = resolve(rule.Properties.Pattern) as Record<string, unknown>;
const parameterEvent = parameterStoreEvent;

describe('rotation trigger', () => {
  it('exists only when the document names a VPC endpoint parameter, with its failure alarm', () => {
    expect(rule.Type).toBe('EventBridgeRule');
    expect(machine.Condition).toBe('HasVpcEndpointParameter');
    expect(template.Resources.RotateGatewayPolicyFailedAlarm).toMatchObject({ Condition: 'HasVpcEndpointParameter', Properties: { MetricName: 'ExecutionsFailed', Dimensions: [{ Value: { Ref: 'RotateGatewayPolicyStateMachine' } }] } });
  });

  it.each(['Create', 'Update', 'LabelParameterVersion'])('starts on %s of the endpoint parameter', (operation) => {
    expect(matches(pattern, parameterEvent(STACK_VALUES.VpcEndpointParameterName!, operation))).toBe(true);
  });

  it.each([
    ['a deletion (nothing to rotate to; drift detection reports it)', parameterEvent(STACK_VALUES.VpcEndpointParameterName!, 'Delete')],
    ['another parameter', parameterEvent('/keygate/other/parameter', 'Update')],
  ])('ignores %s', (_name, event) => {
    expect(matches(pattern, event)).toBe(false);
  });
});
