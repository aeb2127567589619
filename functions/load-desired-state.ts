import { getParameterValue } from './adapters/ssm/parameter-store';
import { DesiredStateInvalidError } from './core/errors';
import { CIMD_PUBLISH_DIRECTORY_PATTERN, cimdDestinationKind } from './core/desired/cimd-publish';
import { loadDesiredStateInput } from './core/desired/load-input';
import { envOnce } from './platform/env';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface LoadDesiredStateInput extends TaskInput {
  /** The execution input. `request.desiredState` (object, YAML/JSON text or kg1: encoded) overrides the stack's parameter. */
  request?: { desiredState?: unknown };
}

const loadEnv = /* @__PURE__ */ envOnce({
  DESIRED_STATE_PARAMETER: { required: true, hint: 'name of the SSM parameter holding the desired state' },
  KEYCLOAK_INSTANCE_ID: { fallback: '' },
  VPC_ENDPOINT_PARAMETER_NAME: { fallback: '' },
  CIMD_PUBLISH_BUCKET: { fallback: '' },
  CIMD_PUBLISH_KEY: { fallback: '' },
  CIMD_PUBLISH_DIRECTORY: { required: true, pattern: CIMD_PUBLISH_DIRECTORY_PATTERN, hint: 'the template parameter CimdPublishDirectory' },
  GATEWAY_SEARCH_TYPE: { fallback: '' },
});

/** Step "Load Desired State": the document every later step runs on, validated once. */
export const handler = makeHandler('load-desired-state', async (input: LoadDesiredStateInput, { logger, signal }) => {
  const env = loadEnv();
  const parameterSource = `SSM parameter ${env.DESIRED_STATE_PARAMETER}`;
  const readDeployed = () => getParameterValue(env.DESIRED_STATE_PARAMETER, { signal });
  let value = input.request?.desiredState;
  let source = 'execution input';
  // An input document is bound like the stack's own: one naming another VPC endpoint parameter would
  // put a policy on an endpoint the stack's EventBridge rule never watches (never rotated) and that
  // its IAM policy does not let keygate read; one naming another CIMD destination would write where
  // the deploying operator never chose.
  let deployed: { deployed?: { value: unknown; source: string } } = {};
  if (value === undefined) {
    source = parameterSource;
    value = await readDeployed();
    if (value === undefined) {
      throw new DesiredStateInvalidError(source, [{ path: '', message: 'the parameter does not exist', fix: 'deploy the stack with DesiredState from "keygate parameters --config FILE"' }]);
    }
  } else {
    const stored = await readDeployed();
    deployed = { deployed: stored === undefined ? undefined : { value: stored, source: parameterSource } };
  }
  const binding = {
    ...(env.KEYCLOAK_INSTANCE_ID ? { keycloakInstanceId: env.KEYCLOAK_INSTANCE_ID } : {}),
    vpcEndpointParameterName: env.VPC_ENDPOINT_PARAMETER_NAME,
    cimdObject: { bucket: env.CIMD_PUBLISH_BUCKET, key: env.CIMD_PUBLISH_KEY },
    cimdPublishDirectory: env.CIMD_PUBLISH_DIRECTORY,
    gatewaySearchType: env.GATEWAY_SEARCH_TYPE,
    ...deployed,
  };
  const { desired, warnings } = loadDesiredStateInput(value, source, binding);
  // `message` is the log line's own key in Powertools: the finding's text goes under `finding`.
  for (const { message, ...w } of warnings) logger.warn('desired state warning', { ...w, finding: message });
  logger.info('desired state loaded', { source, gateway: desired.gateway.name, targets: desired.targets.length, realm: desired.keycloak.realm.name });
  // The CIMD steps' Choice: which publisher's function the document goes to (core/desired/cimd-publish.ts).
  return { desired, warnings, cimdDestination: cimdDestinationKind(desired.cimd) };
});
