import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { ssmClient } from './client';

/**
 * Reads a SecureString with decryption: only for the verification canary's client secret, the one
 * secret a Lambda holds (in memory, for one run; never logged, never returned). Every other secret
 * is read on the Keycloak host. Returns undefined when the parameter does not exist.
 */
export async function getSecureParameterValue(name: string, opts: { client?: SSMClient; signal?: AbortSignal } = {}): Promise<string | undefined> {
  const client = opts.client ?? ssmClient();
  try {
    const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }), { abortSignal: opts.signal });
    return out.Parameter?.Value;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}
