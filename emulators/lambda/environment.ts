import type { Template } from '../../scripts/template';
import { DeployedStack, type Deployment } from '../iam/cloudformation';

/**
 * Variables the local world takes from this process rather than from the template: the log level
 * (template parameter LogLevel allows DEBUG to ERROR; tests silence the functions with SILENT).
 */
const FROM_THIS_PROCESS = new Set(['POWERTOOLS_LOG_LEVEL']);

/**
 * Each function's environment as a deployment of template.yaml sets it: `Globals.Function.Environment`
 * under the function's own `Environment.Variables`, every intrinsic evaluated for the deployment
 * (emulators/iam/cloudformation.ts; physical names by emulators/world/stack.ts).
 */
export function functionEnvironments(template: Template, deployment: Deployment): Record<string, Record<string, string>> {
  const stack = new DeployedStack(template as never, deployment);
  const globals = ((template.Globals?.Function?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
  const out: Record<string, Record<string, string>> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const own = ((resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
    const variables = stack.resolve({ ...globals, ...own }) as Record<string, unknown>;
    out[id] = Object.fromEntries(Object.entries(variables).filter(([k]) => !FROM_THIS_PROCESS.has(k)).map(([k, v]) => [k, String(v)]));
  }
  return out;
}
