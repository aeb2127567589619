import { loadTemplate } from '../../../scripts/template';
import { aslFiles, loadAsl } from '../../support/asl';
import { executionBudgetSeconds, retryDelays, timeoutFor } from '../../support/execution-budget';
import { ROOT } from '../../support/paths';

// Every state machine has a TimeoutSeconds derived from its own waits (tests/support/execution-budget.ts):
// a run that waits as long as its definition allows never times out, a hung one does, and then the
// ExecutionsTimedOut alarm of its machine fires (without a TimeoutSeconds that metric never moves).

const template = loadTemplate(ROOT);

describe('execution timeouts', () => {
  it.each(aslFiles())('%s: TimeoutSeconds is its execution budget, rounded up to the minute', (file) => {
    const budget = executionBudgetSeconds(file, template);
    expect({ file, TimeoutSeconds: loadAsl(file).TimeoutSeconds }).toEqual({ file, TimeoutSeconds: timeoutFor(budget) });
  });

  it('every state machine an ExecutionsTimedOut alarm watches has a TimeoutSeconds, so the alarm can fire', () => {
    const watched = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties?.MetricName === 'ExecutionsTimedOut')
      .map((r) => ((r.Properties!.Dimensions as Array<{ Value: { Ref: string } }>)[0]!.Value.Ref));
    expect(watched.length).toBeGreaterThanOrEqual(3);
    for (const id of watched) {
      const file = String(template.Resources[id]!.Properties!.DefinitionUri).replace('statemachine/', '');
      expect([id, typeof loadAsl(file).TimeoutSeconds]).toEqual([id, 'number']);
    }
  });

  it('the budget counts each Retry\'s delays up to MaxDelaySeconds (the arithmetic can fail)', () => {
    expect(retryDelays({ IntervalSeconds: 2, BackoffRate: 1.5, MaxDelaySeconds: 15, MaxAttempts: 56 })).toBeCloseTo(791.375, 3);
    expect(retryDelays({ IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 })).toBe(7);
  });
});
