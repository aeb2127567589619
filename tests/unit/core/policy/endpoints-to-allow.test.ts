import fc from 'fast-check';
import { endpointsToAllow, narrows } from '../../../../functions/core/policy/vpc-endpoint';

const A = 'vpce-0aaaaaaaaaaaaaaaa';
const B = 'vpce-0bbbbbbbbbbbbbbbb';
const C = 'vpce-0cccccccccccccccc';
const rotation = [{ stateMachine: 'keygate-dev-RotateGatewayPolicyStateMachine', name: 'rotate-7' }];

describe('endpointsToAllow', () => {
  it.each([
    ['no rotation: the current ids, even if that narrows', [B], [A, B], [], { ids: [B] }],
    ['rotation in its grace period: the live A and B stay', [B], [A, B], rotation, { ids: [A, B], reason: 'rotation in progress: keygate-dev-RotateGatewayPolicyStateMachine/rotate-7' }],
    ['rotation before it widened: B is added, A stays', [B], [A], rotation, { ids: [A, B], reason: 'rotation in progress: keygate-dev-RotateGatewayPolicyStateMachine/rotate-7' }],
    ['rotation, nothing to narrow: the current ids', [A, B], [A], rotation, { ids: [A, B] }],
    ['rotation, no live policy: the current ids', [B], [], rotation, { ids: [B] }],
  ] as const)('%s', (_name, current, live, running, expected) => {
    expect(endpointsToAllow(current, live, running)).toEqual(expected);
  });

  it('while a rotation runs, never takes away an endpoint the live policy allows, and always allows the current ones', () => {
    const ids = fc.uniqueArray(fc.constantFrom(A, B, C), { maxLength: 3 });
    fc.assert(
      fc.property(ids.filter((x) => x.length > 0), ids, (current, live) => {
        const { ids: allowed, reason } = endpointsToAllow(current, live, rotation);
        expect(allowed).toEqual(expect.arrayContaining([...current, ...live]));
        expect(allowed).toEqual([...new Set([...current, ...(reason ? live : [])])].sort());
        expect(reason !== undefined).toBe(narrows(current, live));
      }),
    );
  });
});
