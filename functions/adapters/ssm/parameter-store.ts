import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { ssmClient } from './client';

/**
 * Reads a String parameter (never a SecureString: secrets are read on the Keycloak host only).
 * Returns undefined when the parameter does not exist.
 */
export async function getParameterValue(name: string, opts: { client?: SSMClient; signal?: AbortSignal } = {}): Promise<string | undefined> {
  const client = opts.client ?? ssmClient();
  try {
    const out = await client.send(new GetParameterCommand({ Name: name }), { abortSignal: opts.signal });
    return out.Parameter?.Value;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}
