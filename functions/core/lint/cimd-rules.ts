import { renderCimdDocument } from '../cimd/render-cimd';
import { isInsideDirectory } from '../desired/cimd';
import type { DesiredState } from '../desired/document';
import {
  cimdExecutorsOf,
  cimdPolicies,
  effectivePolicyProfiles,
  profileNamed,
  redirectEnforcerOf,
  resolveKc49456,
} from '../keycloak/analysis';
import { anyDomainCovers, hostOf } from '../keycloak/domains';
import type { Rule } from './types';

/** MCP 2025-11-25 requires these in a client's metadata document (checklist C-8). */
export const MCP_REQUIRED_CIMD_PROPERTIES = ['client_id', 'client_name', 'redirect_uris'];
/** Recommended size limit and Keycloak's default `upper-limit-metadata-bytes` (CIMD §6, D-13). */
export const CIMD_MAX_BYTES = 5000;
/** The document's other URL properties whose host Keycloak's CIMD executor checks (jwks_uri has its own rule). */
const URL_PROPERTIES = ['logo_uri', 'client_uri', 'tos_uri', 'policy_uri'] as const;
const URL_LIST_PROPERTIES = ['redirect_uris', 'post_logout_redirect_uris'] as const;
export const SHARED_SECRET_METHODS = ['client_secret_post', 'client_secret_basic', 'client_secret_jwt'];

/**
 * The OAuth 2.1-compliant redirect enforcers that apply to a CIMD client, each with the profile it is
 * in: Keycloak 26.7 runs client policies when a CIMD client registers, so a public-client policy's
 * profiles apply as well as the CIMD policy's own (and the #49456 workaround's additions).
 */
export function strictRedirectEnforcers(d: DesiredState): Array<{ profile: string; index: number; executor: number; allowHttp: boolean }> {
  const realm = d.keycloak.realm;
  const resolution = resolveKc49456(d.keycloak);
  const names = [...new Set(realm.clientPolicies.flatMap((p) => effectivePolicyProfiles(p, resolution)))];
  return names.flatMap((name) => {
    const index = realm.clientProfiles.findIndex((p) => p.name === name);
    const enforcer = redirectEnforcerOf(profileNamed(realm, name));
    if (index < 0 || !enforcer?.configuration['oauth-2-1-compliant']) return [];
    return [{ profile: name, index, executor: realm.clientProfiles[index]!.executors.indexOf(enforcer), allowHttp: enforcer.configuration['allow-http-scheme'] === true }];
  });
}

const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]', 'localhost'];

/** An http(s) redirect URI on a loopback host (what a native MCP client such as the Inspector calls back on). */
export function loopbackRedirect(uri: string): { scheme: string; host: string; port: string; path: string } | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  if (!['http:', 'https:'].includes(url.protocol) || !(LOOPBACK_HOSTS.includes(host) || host.endsWith('.localhost'))) return undefined;
  return { scheme: url.protocol.slice(0, -1), host, port: url.port, path: `${url.pathname}${url.search}` };
}

/** Trusted domains of the CIMD executors that apply to CIMD clients (profiles of CIMD policies). */
export function cimdTrustedDomains(d: DesiredState): { domains: string[]; configured: boolean } {
  const realm = d.keycloak.realm;
  const resolution = resolveKc49456(d.keycloak);
  const executors = cimdPolicies(realm).flatMap((p) =>
    effectivePolicyProfiles(p, resolution).flatMap((name) => cimdExecutorsOf(profileNamed(realm, name))),
  );
  return { domains: executors.flatMap((e) => e.configuration['cimd-allow-permitted-domains']), configured: executors.length > 0 };
}

export const cimdRules: Rule[] = [
  {
    id: 'cimd-client-id-mismatch',
    severity: 'error',
    summary: "The CIMD document's client_id differs from the URL it is served at.",
    check(d, report) {
      const c = d.cimd;
      if (c?.document.client_id !== undefined && c.document.client_id !== c.url) {
        report(['cimd', 'document', 'client_id'], `"${c.document.client_id}" differs from cimd.url "${c.url}": the authorization server rejects the document`, 'remove client_id (keygate fills it in from cimd.url) or make the two equal exactly');
      }
    },
  },
  {
    id: 'cimd-url-invalid',
    severity: 'error',
    summary: 'The CIMD URL is not https, has no path, or has a query, fragment, credentials or dot segments.',
    check(d, report) {
      if (!d.cimd) return;
      const problem = cimdUrlProblem(d.cimd.url);
      if (problem) report(['cimd', 'url'], `"${d.cimd.url}" ${problem}`, 'serve the document at an https URL with a path, for example https://cimd.example.com/oauth/client-metadata.json');
    },
  },
  {
    id: 'cimd-client-secret',
    severity: 'error',
    summary: 'The CIMD document uses a client_secret_* auth method or carries a client secret.',
    check(d, report) {
      const doc = d.cimd?.document;
      if (!doc) return;
      if (doc.token_endpoint_auth_method && SHARED_SECRET_METHODS.includes(doc.token_endpoint_auth_method)) {
        report(['cimd', 'document', 'token_endpoint_auth_method'], `"${doc.token_endpoint_auth_method}" is a shared-secret method, which CIMD forbids`, 'use "none" (public client) or "private_key_jwt" with jwks_uri');
      }
      for (const key of ['client_secret', 'client_secret_expires_at'] as const) {
        if (doc[key] !== undefined) report(['cimd', 'document', key], 'must not be present: a metadata document is public, so it can carry no secret', `remove ${key}`);
      }
    },
  },
  {
    id: 'cimd-required-property-missing',
    severity: 'error',
    summary: 'The CIMD document lacks a property MCP or the CIMD executor requires.',
    check(d, report) {
      if (!d.cimd) return;
      const rendered = renderCimdDocument(d.cimd).document;
      const realm = d.keycloak.realm;
      const required = new Set(MCP_REQUIRED_CIMD_PROPERTIES);
      realm.clientProfiles.forEach((p) => cimdExecutorsOf(p).forEach((e) => e.configuration['cimd-required-properties'].forEach((r) => required.add(r))));
      for (const key of required) {
        const value = rendered[key];
        if (value === undefined || (Array.isArray(value) && value.length === 0)) {
          report(['cimd', 'document'], `lacks "${key}", which ${MCP_REQUIRED_CIMD_PROPERTIES.includes(key) ? 'MCP 2025-11-25 requires' : 'the CIMD executor requires (cimd-required-properties)'}`, `add ${key} to cimd.document`);
        }
      }
    },
  },
  {
    id: 'cimd-trusted-domain-client-id',
    severity: 'error',
    summary: "The CIMD executor's trusted domains do not cover the client_id host.",
    check(d, report) {
      if (!d.cimd) return;
      const { domains, configured } = cimdTrustedDomains(d);
      const host = hostOf(d.cimd.url);
      if (configured && host && !anyDomainCovers(domains, host)) {
        report(['cimd', 'url'], `host "${host}" is not among the CIMD executor's trusted domains (${domains.join(', ') || 'none'}): Keycloak refuses the client`, `add "${host}" to cimd-allow-permitted-domains`);
      }
    },
  },
  {
    id: 'cimd-trusted-domain-redirect',
    severity: 'error',
    summary: "The CIMD executor's trusted domains do not cover a redirect URI host (or another URL in the document).",
    check(d, report) {
      if (!d.cimd) return;
      const { domains, configured } = cimdTrustedDomains(d);
      if (!configured) return;
      const doc = d.cimd.document as Record<string, unknown>;
      const check = (path: Array<string | number>, url: unknown) => {
        if (typeof url !== 'string') return;
        const host = hostOf(url);
        if (host && !anyDomainCovers(domains, host)) {
          report(path, `host "${host}" of "${url}" is not among the CIMD executor's trusted domains (${domains.join(', ') || 'none'})`, `add "${host}" to cimd-allow-permitted-domains, or change the URL`);
        }
      };
      for (const key of URL_LIST_PROPERTIES) (doc[key] as unknown[] | undefined)?.forEach((u, i) => check(['cimd', 'document', key, i], u));
      for (const key of URL_PROPERTIES) check(['cimd', 'document', key], doc[key]);
    },
  },
  {
    // Its own rule: it is not a redirect URI, and it breaks something else (the client's keys, hence
    // private_key_jwt), so the finding and its fix must say so (keycloak-fidelity.md, the executor's URL checks).
    id: 'cimd-trusted-domain-jwks-uri',
    severity: 'error',
    summary: "The CIMD executor's trusted domains do not cover the jwks_uri host (the client's keys).",
    check(d, report) {
      if (!d.cimd) return;
      const { domains, configured } = cimdTrustedDomains(d);
      const url = (d.cimd.document as Record<string, unknown>).jwks_uri;
      if (!configured || typeof url !== 'string') return;
      const host = hostOf(url);
      if (host && !anyDomainCovers(domains, host)) {
        report(['cimd', 'document', 'jwks_uri'], `host "${host}" of the client's key set "${url}" is not among the CIMD executor's trusted domains (${domains.join(', ') || 'none'}): Keycloak refuses the document, so the client cannot authenticate with its keys`, `add "${host}" to cimd-allow-permitted-domains, or serve the key set from a trusted domain (or inline it as jwks)`);
      }
    },
  },
  {
    id: 'cimd-condition-domain',
    severity: 'error',
    summary: "A client-id-uri condition's scheme or trusted domains do not cover the client_id URL.",
    check(d, report) {
      if (!d.cimd) return;
      let url: URL;
      try {
        url = new URL(d.cimd.url);
      } catch {
        return;
      }
      const realm = d.keycloak.realm;
      cimdPolicies(realm).forEach((policy) => {
        const i = realm.clientPolicies.indexOf(policy);
        policy.conditions.forEach((c, j) => {
          if (c.condition !== 'client-id-uri') return;
          const base = ['keycloak', 'realm', 'clientPolicies', i, 'conditions', j, 'configuration'];
          const scheme = url.protocol.replace(':', '');
          if (!c.configuration['client-id-uri-scheme'].includes(scheme)) {
            report([...base, 'client-id-uri-scheme'], `does not include "${scheme}", the scheme of cimd.url: policy "${policy.name}" never matches this client`, `add "${scheme}"`);
          }
          const domains = c.configuration['client-id-uri-allow-permitted-domains'];
          const host = hostOf(d.cimd!.url) ?? url.hostname;
          if (!anyDomainCovers(domains, host)) {
            report([...base, 'client-id-uri-allow-permitted-domains'], `does not cover "${host}", the host of cimd.url: policy "${policy.name}" never matches this client (Keycloak compares hosts case-sensitively; *.d also covers d)`, `add "${host}"`);
          }
        });
      });
    },
  },
  {
    id: 'redirect-uri-localhost',
    severity: 'error',
    summary: 'A redirect URI uses `localhost` while an OAuth 2.1-compliant redirect enforcer applies (Keycloak rejects it; use 127.0.0.1, without a port).',
    check(d, report) {
      const uris = d.cimd?.document.redirect_uris;
      if (!uris || strictRedirectEnforcers(d).length === 0) return;
      uris.forEach((uri, i) => {
        const loopback = loopbackRedirect(uri);
        if (loopback && (loopback.host === 'localhost' || loopback.host.endsWith('.localhost'))) {
          report(['cimd', 'document', 'redirect_uris', i], `"${uri}" uses localhost, which the OAuth 2.1-compliant secure-redirect-uris-enforcer rejects`, `use "${loopback.scheme}://127.0.0.1${loopback.path}" (no port: it matches the client's callback on any port), with 127.0.0.1 in the CIMD trusted domains; start the client with HOST=127.0.0.1`);
        }
      });
    },
  },
  {
    id: 'redirect-uri-loopback-port',
    severity: 'error',
    summary: 'A loopback redirect URI in the CIMD document has a port while an OAuth 2.1-compliant redirect enforcer applies: Keycloak 26.7 refuses the registration; without the port it matches any port.',
    check(d, report) {
      const uris = d.cimd?.document.redirect_uris;
      if (!uris || strictRedirectEnforcers(d).length === 0) return;
      uris.forEach((uri, i) => {
        const loopback = loopbackRedirect(uri);
        if (!loopback?.port || loopback.host === 'localhost' || loopback.host.endsWith('.localhost')) return;
        report(
          ['cimd', 'document', 'redirect_uris', i],
          `"${uri}" registers a loopback redirect URI with a port: under oauth-2-1-compliant, Keycloak 26.7 refuses the CIMD registration ("Invalid Redirect Uri: invalid loopback address"; keycloak/keycloak#49457 runs client policies when a CIMD client registers)`,
          `register "${loopback.scheme}://${loopback.host}${loopback.path}": without a port it matches the client's callback on any port (the client still sends its port), on 26.6 and 26.7 alike`,
        );
      });
    },
  },
  {
    id: 'redirect-uri-http-refused',
    severity: 'error',
    summary: 'An http loopback redirect URI meets an OAuth 2.1-compliant redirect enforcer without allow-http-scheme: Keycloak refuses it (the loopback options do not cover http).',
    check(d, report) {
      const uris = d.cimd?.document.redirect_uris;
      if (!uris) return;
      const refusing = strictRedirectEnforcers(d).filter((e) => !e.allowHttp);
      if (refusing.length === 0) return;
      uris.forEach((uri, i) => {
        if (loopbackRedirect(uri)?.scheme !== 'http') return;
        report(
          ['cimd', 'document', 'redirect_uris', i],
          `"${uri}" is an http callback, and the secure-redirect-uris-enforcer of ${refusing.map((e) => `profile "${e.profile}"`).join(', ')} has allow-http-scheme off: Keycloak refuses it ("Invalid Redirect Uri: invalid loopback address"), allow-ipv4-loopback-address does not cover http`,
          `set allow-http-scheme: true on that enforcer (keycloak.realm.clientProfiles[${refusing[0]!.index}].executors[${refusing[0]!.executor}].configuration), or use a client that calls back on a private-use URI scheme`,
        );
      });
    },
  },
  {
    id: 'cimd-not-configured',
    severity: 'warning',
    summary: 'A CIMD document is declared but no realm policy with a client-id-metadata-document profile accepts it.',
    check(d, report) {
      if (d.cimd && !cimdTrustedDomains(d).configured) {
        report(['cimd'], 'is declared, but no client policy with a client-id-uri condition uses a profile with the client-id-metadata-document executor: Keycloak will not accept this client', 'declare a CIMD profile and a client-id-uri policy under keycloak.realm');
      }
    },
  },
  {
    id: 'cimd-publish-path-outside-directory',
    severity: 'error',
    summary: "Where the CIMD document is published lies outside the stack's publish directory (template parameter `CimdPublishDirectory`, default `/opt/cimd/public`): the host executor refuses it.",
    check(d, report, context) {
      const path = hostPublish(d)?.path;
      const directory = context.cimdPublishDirectory;
      if (!path || !directory || isInsideDirectory(path, directory)) return;
      let urlPath = '/client-metadata.json';
      try {
        urlPath = decodeURIComponent(new URL(d.cimd!.url).pathname);
      } catch {
        // cimd-url-invalid reports it
      }
      report(
        ['cimd', 'publish', 'host', 'path'],
        `"${path}" is outside ${directory}, the only directory this stack may publish under (CimdPublishDirectory): keygate would replace a file that is not its own`,
        `publish under ${directory}/, for example ${directory}${urlPath}; or, if the web root is elsewhere, deploy with CimdPublishDirectory set to it (and pass --cimd-publish-directory to keygate)`,
      );
    },
  },
  {
    id: 'cimd-publish-mode-unsafe',
    severity: 'error',
    summary: 'The published CIMD file would be writable by group or others on the host.',
    check(d, report) {
      const mode = hostPublish(d)?.mode;
      if (mode && (parseInt(mode, 8) & 0o022) !== 0) {
        report(['cimd', 'publish', 'host', 'mode'], `${mode} lets other users on the host rewrite the client's identity (its redirect URIs)`, 'use 0644 (owner writes, everyone reads)');
      }
    },
  },
  {
    id: 'cimd-publish-mode-unreadable',
    severity: 'warning',
    summary: 'The published CIMD file would not be readable by others: nginx, running as its own user, answers 403.',
    check(d, report) {
      const mode = hostPublish(d)?.mode;
      if (mode && (parseInt(mode, 8) & 0o004) === 0) {
        report(['cimd', 'publish', 'host', 'mode'], `${mode} gives others no read access; a web server running as its own user cannot serve the file`, 'use 0644 (or make sure the web server runs as the file owner)');
      }
    },
  },
  {
    id: 'cimd-publish-path-mismatch',
    severity: 'warning',
    summary: "Where the CIMD document is published does not end with the path of cimd.url (the web server probably serves another file).",
    check(d, report) {
      const c = d.cimd;
      if (!c?.publish) return;
      let urlPath: string;
      try {
        urlPath = decodeURIComponent(new URL(c.url).pathname);
      } catch {
        return; // cimd-url-invalid reports it
      }
      if ('host' in c.publish && !c.publish.host.path.endsWith(urlPath)) {
        report(['cimd', 'publish', 'host', 'path'], `"${c.publish.host.path}" does not end with "${urlPath}", the path of cimd.url`, `publish to <web root>${urlPath}, or check that the web server maps ${urlPath} to this file`);
      }
      if ('s3' in c.publish && !`/${c.publish.s3.key}`.endsWith(urlPath)) {
        report(['cimd', 'publish', 's3', 'key'], `"${c.publish.s3.key}" does not end with "${urlPath.slice(1)}", the path of cimd.url`, 'use the URL path as the key, or check the origin path of the distribution serving the bucket');
      }
    },
  },
  {
    id: 'cimd-document-too-large',
    severity: 'error',
    summary: 'The rendered CIMD document is over 5,000 bytes (the recommended limit and Keycloak\'s default).',
    check(d, report) {
      if (!d.cimd) return;
      const { bytes } = renderCimdDocument(d.cimd);
      if (bytes > CIMD_MAX_BYTES) report(['cimd', 'document'], `renders to ${bytes} bytes, over ${CIMD_MAX_BYTES}: authorization servers stop reading there`, 'shorten the document (drop optional properties, use jwks_uri instead of jwks)');
    },
  },
];

const hostPublish = (d: DesiredState) => (d.cimd?.publish && 'host' in d.cimd.publish ? d.cimd.publish.host : undefined);

/** Why a CIMD client_id URL is unusable (CIMD draft §3, checklist D-1), or undefined when it is fine. */
export function cimdUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:') return 'is not https';
  if (url.pathname === '' || url.pathname === '/') return 'has no path';
  if (url.username || url.password) return 'carries credentials';
  if (url.hash || text.includes('#')) return 'has a fragment';
  if (url.search || text.includes('?')) return 'has a query (Keycloak rejects it)';
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(text.slice(url.origin.length))) return 'has . or .. path segments';
  return undefined;
}
