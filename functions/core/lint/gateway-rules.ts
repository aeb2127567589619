import { shownUrl } from '../display';
import { hostOf } from '../keycloak/domains';
import type { Rule } from './types';

// AgentCore patterns (agentcore-gateway-api.md §4.1, §4.5): letters and digits, single hyphens.
const GATEWAY_NAME = /^([0-9a-zA-Z][-]?){1,48}$/;
const TARGET_NAME = /^([0-9a-zA-Z][-]?){1,100}$/;
const WELL_KNOWN = '/.well-known/openid-configuration';

export const gatewayRules: Rule[] = [
  {
    id: 'gateway-name-invalid',
    severity: 'error',
    summary: 'The gateway name is not letters, digits and single hyphens, at most 48 characters.',
    check(d, report) {
      const name = d.gateway.name;
      if (!GATEWAY_NAME.test(name) || name.length > 48 || name.endsWith('-')) {
        report(['gateway', 'name'], `"${name}" is not a valid AgentCore gateway name`, 'use letters, digits and single hyphens (no underscores, no trailing hyphen), at most 48 characters');
      }
    },
  },
  {
    id: 'target-name-invalid',
    severity: 'error',
    summary: 'A target name is not letters, digits and single hyphens (at most 100 characters), or is used twice.',
    check(d, report) {
      const seen = new Set<string>();
      d.targets.forEach((t, i) => {
        if (!TARGET_NAME.test(t.name) || t.name.length > 100 || t.name.endsWith('-')) {
          report(['targets', i, 'name'], `"${t.name}" is not a valid AgentCore target name`, 'use letters, digits and single hyphens, at most 100 characters');
        }
        if (seen.has(t.name)) report(['targets', i, 'name'], `target "${t.name}" is declared twice`, 'give every target a unique name');
        seen.add(t.name);
      });
    },
  },
  {
    id: 'target-endpoint-not-https',
    severity: 'error',
    summary: 'A target endpoint is not an https URL.',
    check(d, report) {
      d.targets.forEach((t, i) => {
        if (!isHttpsUrl(t.endpoint)) {
          report(['targets', i, 'endpoint'], `${shownUrl(t.endpoint)} is not an https URL`, 'AgentCore calls MCP server targets over https only: use https://<host>/mcp');
        }
      });
    },
  },
  {
    id: 'discovery-url-not-https',
    severity: 'error',
    summary: 'The JWT discovery URL is not https.',
    check(d, report) {
      const url = d.gateway.authorizer.discoveryUrl;
      if (!isHttpsUrl(url)) report(['gateway', 'authorizer', 'discoveryUrl'], `${shownUrl(url)} is not an https URL`, 'use the https issuer URL of the realm followed by /.well-known/openid-configuration');
    },
  },
  {
    id: 'discovery-url-suffix',
    severity: 'error',
    summary: 'The JWT discovery URL does not end with /.well-known/openid-configuration.',
    check(d, report) {
      const url = d.gateway.authorizer.discoveryUrl;
      if (!url.endsWith(WELL_KNOWN)) report(['gateway', 'authorizer', 'discoveryUrl'], `must end with ${WELL_KNOWN}`, `use https://<keycloak host>/realms/${d.keycloak.realm.name}${WELL_KNOWN}`);
    },
  },
  {
    id: 'discovery-url-realm-mismatch',
    severity: 'error',
    summary: 'The JWT discovery URL names another realm than keycloak.realm.name.',
    check(d, report) {
      const url = d.gateway.authorizer.discoveryUrl;
      let pathname: string;
      try {
        pathname = new URL(url).pathname;
      } catch {
        return; // discovery-url-not-https reports unparsable URLs
      }
      const match = /\/realms\/([^/]+)\//.exec(pathname);
      const realm = d.keycloak.realm.name;
      if (!match) {
        report(['gateway', 'authorizer', 'discoveryUrl'], `does not name a Keycloak realm (expected /realms/${realm}/ in the path)`, `use https://<keycloak host>/realms/${realm}${WELL_KNOWN}`);
      } else if (decodeURIComponent(match[1]!) !== realm) {
        report(['gateway', 'authorizer', 'discoveryUrl'], `names realm "${decodeURIComponent(match[1]!)}" but keycloak.realm.name is "${realm}"`, `point the discovery URL at /realms/${realm}/ or correct keycloak.realm.name`);
      }
    },
  },
  {
    id: 'gateway-audience-unrestricted',
    severity: 'warning',
    summary: 'The gateway has no allowed audience, so tokens minted for any audience would pass.',
    check(d, report) {
      if (d.gateway.authorizer.allowedAudiences.length === 0) {
        report(['gateway', 'authorizer', 'allowedAudiences'], 'is empty: AgentCore then skips the audience check and accepts tokens minted for any audience', 'list the audience your Keycloak audience mapper adds (for example mcp-gateway-demo)');
      }
    },
  },
  {
    id: 'gateway-audience-account',
    severity: 'warning',
    summary: "The gateway accepts Keycloak's default `account` audience (a token for another service would pass).",
    check(d, report) {
      d.gateway.authorizer.allowedAudiences.forEach((a, i) => {
        if (a === 'account') report(['gateway', 'authorizer', 'allowedAudiences', i], '"account" is the audience Keycloak puts on every user token: it does not bind a token to this gateway', 'use a dedicated audience added by an audience mapper');
      });
    },
  },
];

export function isHttpsUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && hostOf(url) !== undefined && u.hostname !== '';
  } catch {
    return false;
  }
}
