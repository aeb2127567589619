import type {
  CreateGatewayCommandInput,
  CreateGatewayTargetCommandInput,
  UpdateGatewayCommandInput,
  UpdateGatewayTargetCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { CreateGatewayRequest, CreateGatewayTargetRequest, UpdateGatewayRequest, UpdateGatewayTargetRequest } from '../../../../functions/core/gateway/wire';
import { renderCreateGateway, renderCreateTarget } from '../../../../functions/core/gateway/render-gateway';
import { seedDesired } from '../../../support/seed';

// The core renders AgentCore requests without importing the SDK; the adapters hand them to the SDK's
// commands. These assignments fail `tsc --noEmit` (part of npm test) if a wire shape drifts from the
// SDK's *CommandInput types.
const createGateway = (r: CreateGatewayRequest): CreateGatewayCommandInput => r;
const updateGateway = (r: UpdateGatewayRequest): UpdateGatewayCommandInput => r;
const createTarget = (r: CreateGatewayTargetRequest): CreateGatewayTargetCommandInput => r;
const updateTarget = (r: UpdateGatewayTargetRequest): UpdateGatewayTargetCommandInput => r;

describe('wire shapes', () => {
  it('are the SDK command inputs (checked by the type checker; rendered values pass through unchanged)', () => {
    const desired = seedDesired();
    const gateway = renderCreateGateway(desired.gateway, { roleArn: 'arn:aws:iam::111122223333:role/r', clientToken: 'k'.repeat(40) });
    const target = renderCreateTarget(desired.targets[0]!, { gatewayId: 'gw-0123456789', clientToken: 'k'.repeat(40) });
    expect(createGateway(gateway)).toBe(gateway);
    expect(createTarget(target)).toBe(target);
    expect([updateGateway, updateTarget].every((f) => typeof f === 'function')).toBe(true);
  });
});
