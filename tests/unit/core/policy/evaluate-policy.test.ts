import fc from 'fast-check';
import { allowedVpcEndpointIds, canonicalPolicy, planResourcePolicy } from '../../../../functions/core/policy/compare-policy';
import { evaluatePolicy } from '../../../../functions/core/policy/evaluate-policy';
import { buildResourcePolicy, INVOKE_GATEWAY } from '../../../../functions/core/policy/render-resource-policy';
import { parseVpcEndpointParameter, planRotation } from '../../../../functions/core/policy/vpc-endpoint';

const ARN = 'arn:aws:bedrock-agentcore:ap-northeast-1:111122223333:gateway/mcp-gateway-keycloak-demo-k3j9x2m4p7';
const A = 'vpce-0aaaaaaaaaaaaaaaa';
const B = 'vpce-0bbbbbbbbbbbbbbbb';
const invoke = (vpce?: string, resource = ARN) => ({ action: INVOKE_GATEWAY, resource, context: { 'aws:SourceVpce': vpce } });

const hex = fc.constantFrom(...'0123456789abcdef');
const vpceId = fc.string({ unit: hex, minLength: 8, maxLength: 17 }).map((h) => `vpce-${h}`);

describe('evaluatePolicy on the policy keygate writes', () => {
  const policy = buildResourcePolicy(ARN, [A]);

  it('allows the approved endpoint', () => expect(evaluatePolicy(policy, invoke(A))).toBe('allow'));
  it('denies another endpoint explicitly', () => expect(evaluatePolicy(policy, invoke(B))).toBe('explicit-deny'));
  it('denies a call without aws:SourceVpce explicitly', () => expect(evaluatePolicy(policy, invoke(undefined))).toBe('explicit-deny'));
  it('does not apply to another gateway', () => expect(evaluatePolicy(policy, invoke(A, `${ARN.slice(0, -10)}zzzzzzzzzz`))).toBe('implicit-deny'));
  it('does not apply to another action', () => expect(evaluatePolicy(policy, { ...invoke(A), action: 'bedrock-agentcore:GetGateway' })).toBe('implicit-deny'));

  it('allows both endpoints during a rotation', () => {
    const rotating = buildResourcePolicy(ARN, [A, B]);
    expect([A, B, 'vpce-0ccccccccccccccc0', undefined].map((v) => evaluatePolicy(rotating, invoke(v)))).toEqual(['allow', 'allow', 'explicit-deny', 'explicit-deny']);
  });

  it('shows why the Null statement matters: the seed article’s StringNotEquals-only deny is an implicit deny, not an explicit one, without the key', () => {
    const articlePolicy = {
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: INVOKE_GATEWAY, Resource: ARN, Condition: { StringEquals: { 'aws:SourceVpce': A } } },
        { Effect: 'Deny', Principal: '*', Action: INVOKE_GATEWAY, Resource: ARN, Condition: { StringNotEquals: { 'aws:SourceVpce': A } } },
      ],
    };
    expect(evaluatePolicy(articlePolicy, invoke(undefined))).toBe('explicit-deny'); // negated operators hold for a missing key
    const allowOnlyPolicy = { Statement: [articlePolicy.Statement[0]!] };
    expect(evaluatePolicy(allowOnlyPolicy, invoke(undefined))).toBe('implicit-deny');
  });

  it('refuses constructs it does not know instead of guessing', () => {
    const odd = { Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }] };
    expect(() => evaluatePolicy(odd, invoke(A))).toThrow(/unsupported condition operator IpAddress/);
  });
});

describe('policy invariants over generated endpoint sets (property)', () => {
  it('every policy allows exactly the given endpoints and denies unknown and missing ones', () => {
    fc.assert(
      fc.property(fc.uniqueArray(vpceId, { minLength: 1, maxLength: 8 }), vpceId, (ids, other) => {
        const policy = buildResourcePolicy(ARN, ids);
        for (const id of ids) expect(evaluatePolicy(policy, invoke(id))).toBe('allow');
        if (!ids.includes(other)) expect(evaluatePolicy(policy, invoke(other))).toBe('explicit-deny');
        expect(evaluatePolicy(policy, invoke(undefined))).toBe('explicit-deny');
        expect(allowedVpcEndpointIds(policy)).toEqual([...new Set(ids)].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('the order of ids never changes the text, and a reordered copy plans as in sync', () => {
    fc.assert(
      fc.property(fc.uniqueArray(vpceId, { minLength: 1, maxLength: 6 }), (ids) => {
        const a = buildResourcePolicy(ARN, ids);
        const b = buildResourcePolicy(ARN, [...ids].reverse());
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        const shuffled = { ...a, Statement: [...a.Statement].reverse() };
        expect(planResourcePolicy(ARN, a, JSON.stringify(shuffled)).action).toBe('noop');
      }),
    );
  });

  it('a rotation keeps every old and new endpoint allowed during the grace period, then only the new ones', () => {
    fc.assert(
      fc.property(fc.uniqueArray(vpceId, { minLength: 0, maxLength: 4 }), fc.uniqueArray(vpceId, { minLength: 1, maxLength: 3 }), (current, next) => {
        const plan = planRotation(current, next);
        const during = buildResourcePolicy(ARN, plan.during);
        const after = buildResourcePolicy(ARN, plan.after);
        for (const id of [...current, ...next]) expect(evaluatePolicy(during, invoke(id))).toBe('allow');
        for (const id of next) expect(evaluatePolicy(after, invoke(id))).toBe('allow');
        for (const id of current.filter((c) => !next.includes(c))) expect(evaluatePolicy(after, invoke(id))).toBe('explicit-deny');
      }),
    );
  });
});

describe('planResourcePolicy', () => {
  const desired = buildResourcePolicy(ARN, [A]);

  it('creates when there is no policy', () => {
    expect(planResourcePolicy(ARN, desired, undefined)).toMatchObject({ action: 'create', reason: 'missing' });
  });

  it('is a noop for the same policy with single values written as strings and statements reordered', () => {
    const observed = JSON.parse(JSON.stringify(desired));
    observed.Statement.reverse();
    observed.Statement[0].Condition.Null['aws:SourceVpce'] = ['true'];
    observed.Statement.forEach((s: { Condition: Record<string, Record<string, unknown>> }) => {
      for (const op of Object.values(s.Condition)) for (const k of Object.keys(op)) if (Array.isArray(op[k]) && (op[k] as unknown[]).length === 1) op[k] = (op[k] as unknown[])[0];
    });
    expect(planResourcePolicy(ARN, desired, JSON.stringify(observed))).toMatchObject({ action: 'noop', reason: 'in-sync', fields: [] });
  });

  it('names the field of a hand-edited policy', () => {
    const edited = buildResourcePolicy(ARN, ['vpce-0ccccccccccccccc0']);
    const plan = planResourcePolicy(ARN, desired, JSON.stringify(edited));
    expect(plan.action).toBe('update');
    expect(plan.reason).toBe('differs');
    expect(plan.fields.map((f) => f.field)).toEqual([
      'Statement[AllowInvokeFromApprovedVpcEndpoints].Condition',
      'Statement[DenyInvokeFromOtherVpcEndpoints].Condition',
    ]);
  });

  it('names a deleted statement and an added one', () => {
    const edited = JSON.parse(JSON.stringify(desired));
    edited.Statement.splice(2, 1, { Sid: 'AllowAll', Effect: 'Allow', Principal: '*', Action: INVOKE_GATEWAY, Resource: ARN });
    const fields = planResourcePolicy(ARN, desired, JSON.stringify(edited)).fields;
    expect(fields.map((f) => [f.field, f.expected === null ? 'extra' : f.actual === null ? 'missing' : 'differs'])).toEqual([
      ['Statement[DenyInvokeWithoutVpcEndpoint]', 'missing'],
      ['Statement[AllowAll]', 'extra'],
    ]);
  });

  it('updates an unparsable policy', () => {
    expect(planResourcePolicy(ARN, desired, '{not json')).toMatchObject({ action: 'update', reason: 'unparsable' });
  });

  it('canonical form is idempotent', () => {
    const once = canonicalPolicy(desired);
    expect(canonicalPolicy(once)).toEqual(once);
  });
});

describe('parseVpcEndpointParameter', () => {
  it('reads one id or a comma-separated list', () => {
    expect(parseVpcEndpointParameter('/p', ` ${A} `)).toEqual([A]);
    expect(parseVpcEndpointParameter('/p', `${B},${A},${B}`)).toEqual([A, B]);
  });

  it.each([
    [undefined, /the parameter does not exist/],
    ['', /the parameter is empty/],
    ['*', /"\*" is not vpce-/],
    ['vpce-12', /"vpce-12" is not vpce-/],
  ])('refuses %j as VpcEndpointIdInvalidError', (value, message) => {
    expect(() => parseVpcEndpointParameter('/net/vpce', value)).toThrow(message);
    expect(() => parseVpcEndpointParameter('/net/vpce', value)).toThrow(expect.objectContaining({ name: 'VpcEndpointIdInvalidError', parameterName: '/net/vpce' }));
  });
});
