import fc from 'fast-check';
import { parameterNameProblem } from '../../../functions/core/desired/common';
import { loadTemplate } from '../../../scripts/template';
import { ROOT } from '../../support/paths';

// Template parameters that CloudFormation itself must check: a value the IAM policies splice into an
// ARN is refused at deploy time, with a message naming the fix, before any policy is wrong.

const params = loadTemplate(ROOT).Parameters as Record<string, { Default?: string; AllowedPattern?: string; ConstraintDescription?: string }>;
// An SSM parameter NAME the stack's policies append to `arn:…:parameter` (VpcEndpointParameterName, CanarySecretParameterName).
const ssmNameParams = Object.keys(params).filter((k) => k.endsWith('ParameterName'));

describe('SSM parameter names given as template parameters', () => {
  it('are the ones the IAM policies build ARNs from', () => {
    expect(ssmNameParams.sort()).toEqual(['CanarySecretParameterName', 'VpcEndpointParameterName']);
  });

  it.each(ssmNameParams)('%s has an AllowedPattern and a ConstraintDescription that names the fix', (name) => {
    const p = params[name]!;
    expect(p.AllowedPattern).toBeDefined();
    expect(p.ConstraintDescription).toMatch(/starting with "\/"/);
    expect(p.ConstraintDescription).toMatch(/keygate parameters/);
  });

  it.each(ssmNameParams)('%s: empty (the optional default) and full names pass; a name without the leading "/" is refused', (name) => {
    // CloudFormation matches AllowedPattern against the whole value (Java regex); these patterns are anchored and mean the same in JS.
    const pattern = new RegExp(params[name]!.AllowedPattern!);
    expect(params[name]!.Default).toBe('');
    expect(pattern.test('')).toBe(true);
    expect(pattern.test('/keygate/mcp-keycloak-agentcore/gateway-vpce-id')).toBe(true);
    for (const bad of ['keygate/mcp-keycloak-agentcore/gateway-vpce-id', 'vpce-0a1b2c3d4e5f60718', ' /keygate/x', '/keygate/x y']) expect([bad, pattern.test(bad)]).toEqual([bad, false]);
  });

  it.each(ssmNameParams)('%s accepts every name the document loader accepts, and nothing that lacks the leading "/"', (name) => {
    const pattern = new RegExp(params[name]!.AllowedPattern!);
    const level = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 6 }), fc.boolean(), (levels, slash) => {
        const candidate = `${slash ? '/' : ''}${levels.join('/')}`;
        if (parameterNameProblem(candidate) === undefined) expect(pattern.test(candidate)).toBe(true);
        if (!slash) expect(pattern.test(candidate)).toBe(false);
      }),
    );
  });
});
