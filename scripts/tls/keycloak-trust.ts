import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { jvmHostsFile } from '../../cli/login/net';
import { createLocalCa, type LocalCa } from './local-ca';

/**
 * The seed's public names for the login flow on loopback (tests, the rehearsal, the bench): what
 * Keycloak's JVM resolves to 127.0.0.1 (it fetches CIMD documents from `cimd.`), and what the local
 * load balancer's certificate names.
 */
export const SEED_DOMAIN = 'agentcore-keycloak-example.com';
export const LOGIN_NAMES = { auth: `auth.${SEED_DOMAIN}`, cimd: `cimd.${SEED_DOMAIN}` } as const;

export interface KeycloakTrust {
  ca: LocalCa;
  caCertFile: string;
  caKeyFile: string;
  /** Options for startKeycloakServer: the CA in Keycloak's truststore, the names in the JVM's hosts file. */
  serverOptions: { args: string[]; javaOptions: string[] };
}

/**
 * Makes a CA for one run and the files a Keycloak server needs to fetch CIMD documents from the local
 * load balancer over HTTPS, in `directory` (private to the run: the CA key is 0600):
 * `truststore-paths` (a PEM file; Keycloak adds it to the JVM's default trust) and
 * `-Djdk.net.hosts.file` (the JVM resolves only these names, no system file is edited).
 *
 * @example
 * const trust = prepareKeycloakTrust(dir);
 * const kc = await startKeycloakServer({ ...trust.serverOptions });
 */
export function prepareKeycloakTrust(directory: string, ca: LocalCa = createLocalCa('keygate local CA')): KeycloakTrust {
  const caCertFile = join(directory, 'login-ca.pem');
  const caKeyFile = join(directory, 'login-ca-key.pem');
  const hostsFile = join(directory, 'jvm-hosts');
  writeFileSync(caCertFile, ca.certPem);
  writeFileSync(caKeyFile, ca.keyPem, { mode: 0o600 });
  writeFileSync(hostsFile, jvmHostsFile({ hosts: Object.fromEntries(Object.values(LOGIN_NAMES).map((name) => [name, '127.0.0.1'])) }, hostname()));
  return { ca, caCertFile, caKeyFile, serverOptions: { args: [`--truststore-paths=${caCertFile}`], javaOptions: [`-Djdk.net.hosts.file=${hostsFile}`] } };
}
