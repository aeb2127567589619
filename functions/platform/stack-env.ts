import { readEnv } from './env';

// Environment of the gateway functions, read once per container (house style habit 8).
const OWNER = { required: true, hint: 'the stack name: keygate tags the gateways it creates with it and touches no others' };
const ROLE = { required: true, pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, hint: 'the gateway service role, the only role these functions may pass' };

let owner: Readonly<Record<'KEYGATE_OWNER', string>> | undefined;
let gateway: Readonly<Record<'KEYGATE_OWNER' | 'GATEWAY_ROLE_ARN', string>> | undefined;

export const ownerEnv = () => (owner ??= readEnv({ KEYGATE_OWNER: OWNER }));
export const gatewayEnv = () => (gateway ??= readEnv({ KEYGATE_OWNER: OWNER, GATEWAY_ROLE_ARN: ROLE }));
