import * as z from 'zod/mini';

/** A list of strings where order carries no meaning (audiences, scopes, clients, domains). */
export const stringSet = () => z.array(z.string().check(z.minLength(1, { error: 'must not be empty' })));

/**
 * SSM's naming constraints for parameter names (PutParameter `Name`, "Naming Constraints"):
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html and
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html.
 * The 1,011 characters include the path. Whether the reserved "aws"/"ssm" prefix applies to the first
 * level of a hierarchical name (`/aws…`) is UNCONFIRMED; keygate refuses it there too (RESERVED_PREFIX).
 */
export const SSM_PARAMETER_NAME = { maxLength: 1011, maxLevels: 15 } as const;
const NAME_CHARACTERS = /^[A-Za-z0-9_.\-/]+$/;
const RESERVED_PREFIX = /^\/?(aws|ssm)/i;

/**
 * Why `name` is not a name keygate can use for an SSM parameter, or `undefined` when it is. keygate
 * needs the full hierarchical name with its leading "/": the stack's IAM policies grant
 * `arn:…:parameter${Name}` (template.yaml), and the host reads `aws ssm get-parameter --name /…`.
 * The reason never contains the name: a value pasted here may be the secret itself.
 *
 * @example
 * parameterNameProblem('/keygate/demo/admin-password') // undefined
 * parameterNameProblem('S3cr3t!') // 'is not an SSM parameter name: …'
 */
export function parameterNameProblem(name: string): string | undefined {
  if (name === '') return 'must not be empty';
  if (!NAME_CHARACTERS.test(name)) {
    return 'is not an SSM parameter name: a name holds only letters, digits and _ . - / (was the value pasted here instead of its name?)';
  }
  if (!name.startsWith('/')) return 'must be the full name of an SSM parameter, starting with "/" (the stack\'s IAM policies grant access to arn:…:parameter/<path>)';
  if (name.length > SSM_PARAMETER_NAME.maxLength) return `is longer than the ${SSM_PARAMETER_NAME.maxLength} characters SSM allows for a parameter name, path included`;
  const levels = name.slice(1).split('/');
  if (levels.some((l) => l === '')) return 'has an empty level ("//" or a trailing "/"): every level of an SSM parameter name needs a name';
  if (levels.length > SSM_PARAMETER_NAME.maxLevels) return `has ${levels.length} levels: SSM allows at most ${SSM_PARAMETER_NAME.maxLevels}`;
  if (RESERVED_PREFIX.test(name)) return 'starts with "aws" or "ssm" (in any case), which SSM reserves for its own parameters';
  return undefined;
}

/** The same grammar as a JSON Schema pattern, so that editors flag a bad name while typing. */
const NAME_PATTERN = `^/(?![aA][wW][sS]|[sS][sS][mM])[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,${SSM_PARAMETER_NAME.maxLevels - 1}}$`;

/**
 * An SSM parameter NAME (never a value): keygate only ever handles the name of a secret. `holds`
 * and `example` make the fix concrete for each field; no message or fix repeats what was written.
 */
export const parameterName = (opts: { holds: string; example: string; secureString: boolean }) =>
  z
    .string({ error: `must be the name of an SSM parameter (a string such as ${opts.example})` })
    .check(
      z.superRefine((name, ctx) => {
        const problem = parameterNameProblem(name);
        if (!problem) return;
        const store = opts.secureString ? `put ${opts.holds} in an SSM SecureString and write its full name here` : `write the full name of the SSM parameter that holds ${opts.holds}`;
        ctx.addIssue({ code: 'custom', message: problem, params: { fix: `${store}, starting with "/", for example ${opts.example}${opts.secureString ? '; never the value itself' : ''}` } });
      }),
    )
    .check(z.meta({ pattern: NAME_PATTERN, maxLength: SSM_PARAMETER_NAME.maxLength }));

/** A non-empty string. */
export const nonEmpty = () => z.string().check(z.minLength(1));

export const ManagedVpcResourceSchema = z.strictObject({
  vpcId: nonEmpty().check(z.meta({ description: 'VPC id (vpcIdentifier on the wire)' })),
  subnetIds: z.array(nonEmpty()).check(z.minLength(1, { error: 'needs at least one subnet id' })),
  securityGroupIds: z._default(z.array(nonEmpty()), []),
  ipAddressType: z._default(z.enum(['IPV4', 'IPV6']), 'IPV4'),
  routingDomain: z.optional(nonEmpty()).check(
    z.meta({
      description: 'Domain the gateway resolves through the VPC (for an internal ALB with a publicly trusted certificate)',
    }),
  ),
  tags: z.optional(z.record(z.string(), z.string())),
});

/** AgentCore reaches a private IdP or target through a managed VPC resource (SDK >= 3.1040.0 wire name). */
export const PrivateEndpointSchema = z.strictObject({
  managedVpcResource: ManagedVpcResourceSchema,
});

export type ManagedVpcResource = z.output<typeof ManagedVpcResourceSchema>;
export type PrivateEndpoint = z.output<typeof PrivateEndpointSchema>;
