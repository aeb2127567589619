import { AwsError } from './protocol';

/**
 * Parameter Store as GetParameter / PutParameter / DeleteParameter answer on the wire. SecureString
 * values are returned only with `WithDecryption: true` (otherwise an opaque ciphertext, as AWS does).
 * Every read is recorded with the caller's user agent, so tests can prove that secrets are read by
 * the host (the fake `aws` CLI), never by a Lambda.
 */
export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface StoredParameter {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  lastModified: Date;
  description?: string;
}

export interface ParameterRead {
  name: string;
  withDecryption: boolean;
  userAgent: string;
  found: boolean;
}

const NAME = /^(\/[a-zA-Z0-9_.\-]+)+$|^[a-zA-Z0-9_.\-]+$/;

export class ParameterStore {
  readonly parameters = new Map<string, StoredParameter>();
  readonly reads: ParameterRead[] = [];

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  put(name: string, value: string, type: ParameterType = 'String', opts: { overwrite?: boolean; description?: string } = {}): number {
    if (!NAME.test(name) || /^\/?(aws|ssm)/i.test(name)) {
      throw new AwsError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive), and must be a fully qualified name or a simple name made of a-zA-Z0-9_.- (got ${name})`);
    }
    if (value.length === 0 || value.length > 4096) throw new AwsError('ValidationException', 'Standard tier parameters support a maximum parameter value of 4096 characters.');
    const existing = this.parameters.get(name);
    if (existing && !opts.overwrite) throw new AwsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this request, set the overwrite option in the request to true.');
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(name, { name, type, value, version, lastModified: new Date(), ...(opts.description ? { description: opts.description } : {}) });
    return version;
  }

  get(name: string, withDecryption: boolean, userAgent: string) {
    const p = this.parameters.get(name);
    this.reads.push({ name, withDecryption, userAgent, found: !!p });
    if (!p) throw new AwsError('ParameterNotFound');
    const value = p.type === 'SecureString' && !withDecryption ? Buffer.from(`kms-ciphertext:${p.name}:${p.version}`).toString('base64') : p.value;
    return {
      Parameter: {
        Name: p.name,
        Type: p.type,
        Value: value,
        Version: p.version,
        LastModifiedDate: p.lastModified.getTime() / 1000,
        ARN: `arn:aws:ssm:${this.region}:${this.accountId}:parameter/${p.name.replace(/^\//, '')}`,
        DataType: 'text',
      },
    };
  }

  delete(name: string): void {
    if (!this.parameters.delete(name)) throw new AwsError('ParameterNotFound');
  }

  /** The JSON operations, as the SSM endpoint dispatches them. */
  operations(): Record<string, (input: any, userAgent: string) => unknown> {
    return {
      GetParameter: (input, ua) => this.get(String(input.Name ?? ''), input.WithDecryption === true, ua),
      PutParameter: (input) => {
        const existing = this.parameters.get(String(input.Name ?? ''));
        const type = (input.Type ?? existing?.type) as ParameterType | undefined;
        if (!type) throw new AwsError('ValidationException', 'A parameter type is required when you create a parameter.');
        if (!['String', 'StringList', 'SecureString'].includes(type)) throw new AwsError('ValidationException', `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint`);
        return { Version: this.put(String(input.Name ?? ''), String(input.Value ?? ''), type, { overwrite: input.Overwrite === true, description: input.Description }), Tier: 'Standard' };
      },
      DeleteParameter: (input) => (this.delete(String(input.Name ?? '')), {}),
    };
  }
}
