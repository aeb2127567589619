import { envOnce } from './env';

// Environment of the gateway functions, read once per container (house style habit 8).
const OWNER = { required: true, hint: 'the stack name: keygate tags the gateways it creates with it and touches no others' };
const ROLE = { required: true, pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, hint: 'the gateway service role, the only role these functions may pass' };

export const ownerEnv = /* @__PURE__ */ envOnce({ KEYGATE_OWNER: OWNER });
export const gatewayEnv = /* @__PURE__ */ envOnce({ KEYGATE_OWNER: OWNER, GATEWAY_ROLE_ARN: ROLE });
