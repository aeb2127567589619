import { VPC_ENDPOINT_ID } from '../policy/render-resource-policy';
import type { Rule } from './types';

export const resourcePolicyRules: Rule[] = [
  {
    id: 'vpce-source-missing',
    severity: 'error',
    summary: 'The resource policy names no VPC endpoint source (keygate never writes an allow-all policy).',
    check(d, report) {
      const source = d.resourcePolicy?.vpcEndpoint;
      if (!source) return;
      if (source.parameterName === undefined && (source.ids === undefined || source.ids.length === 0)) {
        report(['resourcePolicy', 'vpcEndpoint'], 'names no VPC endpoint: keygate never writes a policy that allows every network path', 'set parameterName to the SSM parameter the network stack writes the endpoint id to, or list ids');
      }
      if (source.parameterName !== undefined && source.ids !== undefined) {
        report(['resourcePolicy', 'vpcEndpoint'], 'sets both parameterName and ids', 'keep one source: parameterName (follows endpoint changes) or ids (fixed)');
      }
    },
  },
  {
    id: 'vpce-id-invalid',
    severity: 'error',
    summary: 'A VPC endpoint id is not `vpce-` followed by 8 to 17 hex digits.',
    check(d, report) {
      d.resourcePolicy?.vpcEndpoint.ids?.forEach((id, i) => {
        if (!VPC_ENDPOINT_ID.test(id)) report(['resourcePolicy', 'vpcEndpoint', 'ids', i], `"${id}" is not a VPC endpoint id`, 'use the id of the bedrock-agentcore.gateway interface endpoint: vpce- followed by 8 to 17 hex digits');
      });
    },
  },
  {
    id: 'resource-policy-unmanaged',
    severity: 'warning',
    summary: 'No resourcePolicy section: the gateway accepts calls from any network path its authorizer allows.',
    check(d, report) {
      if (!d.resourcePolicy) report(['resourcePolicy'], 'is not declared: keygate will not restrict InvokeGateway to your VPC endpoint', 'add resourcePolicy.vpcEndpoint.parameterName (or ids) so only the interface endpoint can reach the gateway');
    },
  },
];
