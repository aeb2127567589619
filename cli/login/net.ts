import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from '../../functions/adapters/http/fetch';

/**
 * How this process reaches the public names of a login flow: which names resolve to which address
 * (without editing /etc/hosts), and which extra CA certificates it trusts beside the system's (a
 * private CA of the operator's load balancer, or the local CA of a rehearsal). The same map goes to
 * Chromium (`--host-resolver-rules`) and to Keycloak's JVM (`-Djdk.net.hosts.file`).
 */
export interface NameMap {
  /** Host name (lower case, no port) → IP address. */
  hosts: Record<string, string>;
  /** PEM certificates trusted in addition to Node's bundled roots. */
  ca?: string[];
}

/**
 * A fetch over real TLS that resolves the mapped names to their addresses and trusts the extra CAs:
 * the certificate is checked against the name in the URL, as for any https request.
 *
 * @example
 * const f = mappedFetch({ hosts: { 'auth.example.com': '127.0.0.1' }, ca: [ca.certPem] });
 * await f('https://auth.example.com:8443/realms/r/.well-known/openid-configuration');
 */
export function mappedFetch(map: NameMap): FetchLike & { close(): Promise<void> } {
  const hosts = new Map(Object.entries(map.hosts).map(([name, ip]) => [name.toLowerCase(), ip]));
  const lookup = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    const ip = hosts.get(hostname.toLowerCase());
    if (!ip) {
      dnsLookup(hostname, options, callback as never);
      return;
    }
    const family = ip.includes(':') ? 6 : 4;
    if (options.all) callback(null, [{ address: ip, family }]);
    else callback(null, ip, family);
  };
  const agent = new Agent({ connect: { lookup: lookup as never, ...(map.ca?.length ? { ca: [...rootCertificates, ...map.ca] } : {}) } });
  const fetchFn = ((input: string | URL | Request, init?: RequestInit) => undiciFetch(input as never, { ...(init as object), dispatcher: agent } as never)) as unknown as FetchLike & { close(): Promise<void> };
  fetchFn.close = () => agent.close();
  return fetchFn;
}

/** Chromium's `--host-resolver-rules` for the map: each name to its address, the port of the URL kept. */
export function hostResolverRules(map: NameMap): string {
  return Object.entries(map.hosts).map(([name, ip]) => `MAP ${name} ${ip}`).join(', ');
}

/** A JVM hosts file (`-Djdk.net.hosts.file`): the map plus localhost; the JVM then resolves nothing else. */
export function jvmHostsFile(map: NameMap, localName?: string): string {
  const lines = ['127.0.0.1 localhost', ...(localName ? [`127.0.0.1 ${localName}`] : []), ...Object.entries(map.hosts).map(([name, ip]) => `${ip} ${name}`)];
  return `${lines.join('\n')}\n`;
}
