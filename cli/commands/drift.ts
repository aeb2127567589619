import { cimdDestinationFor } from '../../functions/adapters/cimd/destination-for';
import { reconcileCimd, skipReason } from '../../functions/adapters/cimd/reconcile-cimd';
import { observeAwsDrift } from '../../functions/adapters/drift/observe-aws';
import { observeRealmDrift } from '../../functions/adapters/drift/observe-realm';
import { KeygateError } from '../../functions/core/errors';
import type { DesiredState } from '../../functions/core/desired/document';
import type { CimdObservation } from '../../functions/core/drift/observations';
import { renderDriftReport } from '../../functions/core/drift/render';
import { DRIFT_REPORT_FORMAT, mergeDriftReport } from '../../functions/core/drift/report';
import { agentcoreClient } from '../../functions/adapters/agentcore/client';
import { recordAwsCalls } from '../../functions/adapters/aws-call';
import { s3Client } from '../../functions/adapters/s3/object-reader';
import { ssmClient } from '../../functions/adapters/ssm/client';
import type { HostTarget } from '../../functions/adapters/host/host-result';
import { describeAwsFailure } from '../aws-errors';
import { EXIT, printJson, UsageError, type CliIo } from '../io';
import { loadConfig } from '../load-config';

export interface DriftOptions {
  config?: string;
  /** The stack name: the owner tag keygate put on the gateway, and the stack whose Command document runs on the host. */
  stack?: string;
  gatewayRoleArn?: string;
  commandDocument?: string;
  outputBucket?: string;
  json?: boolean;
}

const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/**
 * `keygate drift --config FILE --stack NAME --command-document NAME [--gateway-role-arn ARN] [--output-bucket NAME] [--json]`:
 * the drift report of the state machine in report mode, from an operator's machine with the
 * operator's AWS credentials: the gateway, targets, resource policy, realm and CIMD document planned
 * by the same code, read-only (AWS reads, one SSM command on the Keycloak host that also stats a CIMD
 * file, an S3 read for a CIMD object), never a repair. `--gateway-role-arn` is required unless the
 * document sets `gateway.roleArn`. Exit 0 without drift, 1 with drift.
 */
export async function driftCommand(io: CliIo, opts: DriftOptions, now: () => Date = () => new Date()): Promise<number> {
  const { desired } = loadConfig(io, opts.config, { requireClean: true });
  const stack = required(opts.stack, '--stack NAME (the keygate stack name: keygate tags its gateway with it)');
  const commandDocument = required(opts.commandDocument, '--command-document NAME (stack output KeycloakCommandDocumentName)');
  const roleArn = opts.gatewayRoleArn ?? desired.gateway.roleArn;
  if (!roleArn) throw new UsageError('missing --gateway-role-arn ARN (stack output GatewayRoleArn): the gateway role is compared like every other field');
  if (!ROLE.test(roleArn)) throw new UsageError(`--gateway-role-arn "${roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  const region = await regionOf(io.env);
  const host: HostTarget = { documentName: commandDocument, instanceId: desired.keycloak.instanceId, ...(opts.outputBucket ? { outputBucket: opts.outputBucket } : {}) };
  // Every AWS error then names its service, operation, region and endpoint (cli/aws-errors.ts).
  for (const client of [agentcoreClient(), ssmClient(), s3Client()]) recordAwsCalls(client);
  try {
    const [aws, { realm, hostFiles }] = await Promise.all([observeAwsDrift(desired, { roleArn, owner: stack }), observeRealmDrift(desired, host, { region })]);
    const cimd = await observeCimd(desired, host, region, hostFiles);
    const report = { ...mergeDriftReport(desired, 'report', { aws, realm, cimd }).report, observedAt: now().toISOString() };
    if (opts.json) printJson(io, DRIFT_REPORT_FORMAT, report.items.length === 0, report);
    else io.stdout(renderDriftReport(report));
    return report.items.length ? EXIT.findings : EXIT.ok;
  } catch (error) {
    // What keygate found refused on the way (an offline host, a failed host command, a gateway of
    // another stack) says what and where itself; an AWS SDK error is put in words by cli/run.ts
    // (aws-errors.ts); anything else is a bug and keeps its stack trace.
    if (!(error instanceof KeygateError) || describeAwsFailure(error)) throw error;
    io.stderr(`keygate drift: ${error.name}: ${error.message}\n`);
    if (opts.json) printJson(io, 'keygate.error/1', false, { error: `${error.name}: ${error.message.split('\n')[0]}`, problems: [] });
    return EXIT.internal;
  }
}

/**
 * The CIMD document as the drift state machine observes it (its Observe CIMD Document step): skipped
 * when keygate does not publish it; a host file planned against the stat the realm's command made;
 * an S3 object read with the operator's credentials.
 */
async function observeCimd(desired: DesiredState, host: HostTarget, region: string, hostFiles: Record<string, unknown>): Promise<CimdObservation> {
  const skip = skipReason(desired.cimd);
  if (skip || !desired.cimd?.publish) return { outcome: 'skipped', reason: skip ?? '' };
  const { destination } = cimdDestinationFor(desired.cimd, desired.cimd.publish, () => ({ host, region }), hostFiles);
  const observed = await reconcileCimd({ ...desired, cimd: desired.cimd }, destination, { mode: 'observe' });
  if (!('plan' in observed) || (observed.outcome !== 'in-sync' && observed.outcome !== 'drifted')) throw new TypeError(`CIMD observation ended "${observed.outcome}": observe mode plans only`);
  return { ...observed, outcome: observed.outcome };
}

/**
 * The region the SDK's clients call, as they find it: AWS_REGION, else the `region` of the profile
 * AWS_PROFILE names (or the default profile). The Keycloak host reads its secrets from SSM there too.
 * The AWS CLI's AWS_DEFAULT_REGION is not among them: the JavaScript SDK v3 does not read it (it
 * answers "Region is missing"), so keygate says so instead of accepting it.
 */
async function regionOf(env: Record<string, string | undefined>): Promise<string> {
  if (env.AWS_REGION) return env.AWS_REGION;
  const found = await ssmClient()
    .config.region()
    .catch(() => undefined);
  if (found) return found;
  const profile = env.AWS_PROFILE ? `the profile "${env.AWS_PROFILE}" that AWS_PROFILE names` : 'the default profile';
  const cli = env.AWS_DEFAULT_REGION ? `; AWS_DEFAULT_REGION is the AWS CLI's variable, which the AWS SDK keygate uses does not read` : '';
  throw new UsageError(`no AWS region: set AWS_REGION to the stack's region, or region in ${profile} in ~/.aws/config${cli}`);
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}
