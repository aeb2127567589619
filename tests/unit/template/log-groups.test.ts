import { functionsOf, loadTemplate } from '../../../scripts/template';
import { ROOT } from '../../support/paths';
import { cfnResourceSpec } from '../../support/template';

// Log lines expire: every function writes to a log group this stack owns, with LogRetentionDays.

const template = loadTemplate(ROOT);
const logGroups = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
const RETENTION = { Ref: 'LogRetentionDays' };

describe('log groups', () => {
  it.each(functionsOf(template).map((f) => f.logicalId))('%s logs to /aws/lambda/<its name>, kept LogRetentionDays', (id) => {
    const mine = logGroups.filter(([, g]) => JSON.stringify(g.Properties!.LogGroupName) === JSON.stringify({ 'Fn::Sub': `/aws/lambda/\${${id}}` }));
    expect(mine).toHaveLength(1);
    expect(mine[0]![1].Properties!.RetentionInDays).toEqual(RETENTION);
    // A custom LoggingConfig.LogGroup would send the lines elsewhere, past this group.
    expect((template.Resources[id]!.Properties!.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup).toBeUndefined();
  });

  it('every log group belongs to a function or a logging state machine, and has the retention', () => {
    const functionIds = new Set(functionsOf(template).map((f) => f.logicalId));
    for (const [id, g] of logGroups) {
      expect([id, g.Properties!.RetentionInDays]).toEqual([id, RETENTION]);
      const owner = /^\/aws\/lambda\/\$\{(\w+)\}$/.exec((g.Properties!.LogGroupName as { 'Fn::Sub': string })['Fn::Sub'])?.[1];
      expect([id, owner && functionIds.has(owner)]).toEqual([id, true]);
    }
  });

  it('no state machine logs (one that does needs a log group here with LogRetentionDays)', () => {
    const logging = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Serverless::StateMachine' && r.Properties!.Logging !== undefined);
    expect(logging.map(([id]) => id)).toEqual([]);
  });

  it('LogRetentionDays offers exactly the retentions CloudWatch Logs accepts, 30 days by default', () => {
    const param = template.Parameters!.LogRetentionDays as { Type: string; Default: number; AllowedValues: number[]; ConstraintDescription: string };
    const spec = cfnResourceSpec('AWS::Logs::LogGroup')!.properties.RetentionInDays as { type: { allowedValues: number[] } };
    expect(param).toMatchObject({ Type: 'Number', Default: 30 });
    expect(param.AllowedValues).toEqual(spec.type.allowedValues);
    expect(param.AllowedValues).toContain(param.Default);
    for (const days of param.AllowedValues) expect(param.ConstraintDescription).toContain(String(days));
  });
});
