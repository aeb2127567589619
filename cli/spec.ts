/**
 * What every command accepts and promises, as data: the flags parsed (cli/flags.ts), the help printed
 * (cli/help.ts) and the README's CLI table all come from here, so they cannot disagree.
 */

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** May be given more than once (each value kept); any other flag given twice is an error. */
  multiple?: boolean;
  /** The value's placeholder in help (`FILE`, `N`). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  summary: string;
  /** The flags after `keygate <command>`, as the usage line shows them. */
  usage: string;
  flags: Record<string, FlagSpec>;
  examples: string[];
  /** Exit code → what it means for this command. */
  exits: Array<[number, string]>;
  /** A paragraph after the flags, when the command needs one. */
  notes?: string;
}

const CONFIG: FlagSpec = { type: 'string', value: 'FILE', help: 'the desired-state document (YAML or JSON; docs/desired-state.md)' };
const DIRECTORY: FlagSpec = {
  type: 'string',
  value: 'DIR',
  help: 'the stack\'s CimdPublishDirectory (default /opt/cimd/public): the one host directory the CIMD document may be published under',
};
const JSON_FLAG: FlagSpec = { type: 'boolean', help: 'print one JSON object on stdout instead of text (README, "JSON output")' };
const UNUSABLE: [number, string] = [2, 'unusable input: a bad flag, an unreadable file, an invalid document (no stack trace)'];
const INTERNAL: [number, string] = [70, 'internal error (a bug: please report it)'];

export const COMMAND_SPECS = {
  lint: {
    summary: 'check the document offline; exit 1 on errors',
    usage: '--config FILE [--cimd-publish-directory DIR] [--json]',
    flags: { config: CONFIG, 'cimd-publish-directory': DIRECTORY, json: JSON_FLAG },
    examples: ['keygate lint --config my-gateway.yaml'],
    exits: [[0, 'no errors (warnings allowed)'], [1, 'the document has lint errors'], UNUSABLE, INTERNAL],
  },
  plan: {
    summary: 'everything keygate would create, offline; with a Keycloak snapshot, the realm changes against it',
    usage: '--config FILE [--keycloak-observed SNAPSHOT.json] [--cimd-publish-directory DIR] [--json]',
    flags: {
      config: CONFIG,
      'keycloak-observed': { type: 'string', value: 'SNAPSHOT.json', help: 'plan the realm against this snapshot of the live realm (docs/keycloak-snapshot.md) instead of an empty one; refused when it is of another realm or Keycloak instance' },
      'cimd-publish-directory': DIRECTORY,
      json: JSON_FLAG,
    },
    examples: ['keygate plan --config my-gateway.yaml', 'keygate plan --config my-gateway.yaml --keycloak-observed realm-snapshot.json --json'],
    exits: [[0, 'plan printed (warnings allowed)'], [1, 'plan printed, but the document has lint errors'], UNUSABLE, INTERNAL],
  },
  parameters: {
    summary: 'the template parameters for sam deploy',
    usage: '--config FILE [--format toml|cli|json] [--cimd-publish-directory DIR] [--json]',
    flags: {
      config: CONFIG,
      format: { type: 'string', value: 'toml|cli|json', help: 'toml (default): parameter_overrides for samconfig.toml; cli: --parameter-overrides for sam deploy; json: a plain mapping' },
      'cimd-publish-directory': { ...DIRECTORY, help: `${DIRECTORY.help}; repeated as the CimdPublishDirectory parameter` },
      json: JSON_FLAG,
    },
    examples: ['keygate parameters --config my-gateway.yaml', 'keygate parameters --config my-gateway.yaml --format cli'],
    exits: [[0, 'parameters printed'], [2, 'unusable input, a document with lint errors, or an encoded document over CloudFormation\'s 4,096 bytes'], INTERNAL],
  },
  verify: {
    summary: 'check the live chain: discovery, keys, canary token, protected-resource metadata, MCP calls, CIMD document',
    usage: '--config FILE [--gateway-url URL] [--secret-env NAME] [--resolve HOST=ORIGIN]... [--login [--login-user NAME] [--screenshots DIR]] [--json]',
    flags: {
      config: CONFIG,
      'gateway-url': { type: 'string', value: 'URL', help: 'the gateway\'s MCP URL (stack output, or verify.gatewayUrl in the document)' },
      'secret-env': { type: 'string', value: 'NAME', help: 'the environment variable holding the canary client\'s secret (default KEYGATE_CANARY_SECRET); never the secret itself' },
      resolve: { type: 'string', multiple: true, value: 'HOST=ORIGIN', help: 'send the requests for HOST to ORIGIN instead (port forwarding, the local world); repeatable' },
      login: { type: 'boolean', help: 'also log in as a user of the realm on Keycloak\'s login page in headless Chromium, as the document\'s CIMD client with PKCE, and call the tools with that token; the password comes from the user\'s SSM SecureString (your AWS credentials) and is never printed' },
      'login-user': { type: 'string', value: 'NAME', help: 'the user of keycloak.realm.users to log in as (default: the first)' },
      screenshots: { type: 'string', value: 'DIR', help: 'with --login: save the login and consent pages there as PNG files' },
      json: JSON_FLAG,
    },
    examples: ['KEYGATE_CANARY_SECRET=… keygate verify --config my-gateway.yaml --gateway-url https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp', 'AWS_PROFILE=ops keygate verify --config my-gateway.yaml --gateway-url https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp --login'],
    exits: [[0, 'the chain passes under verify.failOn'], [1, 'the chain fails'], UNUSABLE, INTERNAL],
  },
  drift: {
    summary: 'the drift report from this machine with your AWS credentials (read-only: one SSM command)',
    usage: '--config FILE --stack NAME --command-document NAME [--gateway-role-arn ARN] [--output-bucket NAME] [--json]',
    flags: {
      config: CONFIG,
      stack: { type: 'string', value: 'NAME', help: 'the keygate stack\'s name (keygate tags its gateway with it)' },
      'command-document': { type: 'string', value: 'NAME', help: 'stack output KeycloakCommandDocumentName' },
      'gateway-role-arn': { type: 'string', value: 'ARN', help: 'stack output GatewayRoleArn; required unless the document sets gateway.roleArn' },
      'output-bucket': { type: 'string', value: 'NAME', help: 'the stack\'s command output bucket, for SSM output over 24,000 characters' },
      json: JSON_FLAG,
    },
    examples: ['AWS_PROFILE=ops AWS_REGION=eu-west-1 keygate drift --config my-gateway.yaml --stack keygate-dev --command-document keygate-dev-KeycloakCommandDocument-AbC --gateway-role-arn arn:aws:iam::111122223333:role/keygate-dev-GatewayRole-XyZ'],
    exits: [[0, 'no drift'], [1, 'drift found'], UNUSABLE, [70, 'AWS or the Keycloak host refused: one line naming the service, the operation, the endpoint or region and the fix']],
    notes: 'Credentials and region come from the AWS SDK\'s usual sources (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO; AWS_REGION, else the profile\'s region; not the AWS CLI\'s AWS_DEFAULT_REGION); AWS_ENDPOINT_URL_<SERVICE> points a service elsewhere (keygate world prints such a command).',
  },
  rehearse: {
    summary: 'the whole control plane on this machine: provision, rotation, drift report and repair, teardown',
    usage: '[--config FILE] [--speed N] [--fault KIND] [--keycloak stand-in|real [--screenshots DIR]] [--json]',
    flags: {
      config: { ...CONFIG, help: 'the desired-state document (default: keygate\'s examples/seed.yaml, from any directory)' },
      speed: { type: 'string', value: 'N', help: 'run the emulated service delays and the state machines\' waits N times faster, 1 to 2000 (default 20)' },
      fault: { type: 'string', value: 'KIND', help: 'show a failure: target-failed or gateway-failed' },
      keycloak: { type: 'string', value: 'stand-in|real', help: 'the Keycloak the realm steps and verification use: the fast stand-in (default), or a real Keycloak 26.7.3 on loopback, installed with Maven into .aws-sam/keygate on the first run (a few minutes; needs java and mvn) and stopped at the end; with it, a login phase logs the realm\'s user in on Keycloak\'s login page in headless Chromium' },
      screenshots: { type: 'string', value: 'DIR', help: 'with --keycloak real: save the login phase\'s login and consent pages there as PNG files (default: a new temporary directory, named in the output)' },
      json: { ...JSON_FLAG, help: 'print one JSON object on stdout; the progress goes to stderr' },
    },
    examples: ['keygate rehearse', 'keygate rehearse --config my-gateway.yaml --speed 50', 'keygate rehearse --fault target-failed', 'keygate rehearse --keycloak real'],
    exits: [[0, 'every phase succeeded and everything started was cleaned up'], [1, 'a phase failed (the step, why and the fix are printed)'], UNUSABLE, INTERNAL, [130, 'interrupted by Ctrl-C (143: SIGTERM); cleaned up all the same']],
    notes: 'To keep a provisioned local world running and try keygate verify and keygate drift against it, use keygate world.',
  },
  world: {
    summary: 'provision the local world and keep it running, with the verify and drift commands that work against it',
    usage: '[--config FILE] [--speed N] [--json]',
    flags: {
      config: { ...CONFIG, help: 'the desired-state document (default: keygate\'s examples/seed.yaml, from any directory)' },
      speed: { type: 'string', value: 'N', help: 'as for rehearse: the emulated delays N times faster, 1 to 2000 (default 20)' },
      json: { ...JSON_FLAG, help: 'once the world is up, print one JSON object (endpoints, environment, commands) on stdout; the progress goes to stderr' },
    },
    examples: ['keygate world --config my-gateway.yaml'],
    exits: [[0, 'stopped by Ctrl-C or SIGTERM once up; every server closed and every temporary file removed'], [1, 'provisioning failed (the world is closed)'], UNUSABLE, INTERNAL, [130, 'Ctrl-C before the world was up (143: SIGTERM); cleaned up all the same']],
    notes: 'Nothing leaves this machine: every server listens on 127.0.0.1. The credentials printed are the emulators\' own made-up values.',
  },
  schema: {
    summary: 'the JSON Schema of the desired-state document',
    usage: '[--json]',
    flags: { json: { ...JSON_FLAG, help: 'wrap it as {format, ok, schema} like every other --json output' } },
    examples: ['keygate schema > desired-state.schema.json'],
    exits: [[0, 'printed'], UNUSABLE],
  },
  rules: {
    summary: 'the lint rules (a Markdown table)',
    usage: '[--json]',
    flags: { json: JSON_FLAG },
    examples: ['keygate rules', 'keygate rules --json'],
    exits: [[0, 'printed'], UNUSABLE],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_SPECS;

export const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMAND_SPECS, name);

/** Exit codes shared by every command (README, "Exit codes"). */
export const EXIT_CODES: Array<[number, string]> = [
  [0, 'ok (warnings allowed)'],
  [1, 'lint errors, a failed verification, drift found, a failed rehearsal'],
  [2, 'unusable input: bad flags, an unreadable file, an invalid document (no stack trace)'],
  [70, 'internal error; for drift, AWS or the Keycloak host refused (one line, no stack trace)'],
  [130, 'rehearse, or world before it is up, interrupted by Ctrl-C (143: SIGTERM), cleaned up'],
];
