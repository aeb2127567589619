import { resourceBinding } from '../keycloak/audience-binding';
import { escapeForDisplay, hasUnsafeChars } from '../display';
import { BUILTIN_CLIENT_SCOPES, BUILTIN_CLIENTS, SERVICE_ACCOUNT_USER_PREFIX } from '../keycloak/builtins';
import { describeSchedule, parseSchedule } from './schedule';
import type { Reporter, Rule } from './types';

// Values the services keygate drives would refuse, or that would make keygate act somewhere it must
// not, caught before any change: each of them used to pass lint and fail (or do harm) only after part
// of the system was changed. Their messages quote a value only escaped, and never repeat a URL's
// credentials.

/** A realm name keygate puts into URL paths: letters, digits, `_`, `-`, `.`, not dots alone (`..` is a path step). */
const REALM_NAME = /^(?!\.+$)[A-Za-z0-9_.-]{1,255}$/;
/** Keycloak's client-scope name (`ClientScopeResource`, keycloak-fidelity F6) and AgentCore's AllowedScopeType (1–255): the same set. */
const SCOPE_NAME = /^[\x21\x23-\x5B\x5D-\x7E]{1,255}$/;
/** Keycloak's `username-prohibited-characters` (UsernameProhibitedCharactersValidator.PATTERN), as JavaScript. */
const USERNAME_PROHIBITED = /[<>&"'\s\v$%!#?§,;:*~/\\|^=[\]{}()`\p{Cc}]/u;
/** Keycloak's default user profile: username `length min 3 max 255` (keycloak-fidelity F5). */
const USERNAME_LENGTH = { min: 3, max: 255 };
/** RFC 5322 dot-atom local part (at most 64 characters) and a host name: what Keycloak's email validator accepts, narrowed to the unquoted form. */
const EMAIL = /^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** Schemes that run code or carry content where a browser expects a place to return to. */
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'filesystem:']);

const q = (value: string) => JSON.stringify(escapeForDisplay(value));

export const inputRules: Rule[] = [
  {
    id: 'realm-name-invalid',
    severity: 'error',
    summary: 'The realm name is not letters, digits, `_`, `-` and `.` (at most 255, not dots alone): it goes into every Keycloak URL.',
    check(d, report) {
      const name = d.keycloak.realm.name;
      if (!REALM_NAME.test(name)) {
        report(['keycloak', 'realm', 'name'], `${q(name)} is not a usable realm name: it goes into URL paths (/realms/<name>/…), where / ? # % spaces and .. change what is addressed`, 'use letters, digits, "_", "-" and "." only, for example mcp-demo');
      }
    },
  },
  {
    id: 'realm-admin-realm',
    severity: 'error',
    summary: "The realm keygate would reconcile is Keycloak's admin realm (`master`, or `keycloak.admin.realm`), without `keycloak.realm.allowAdminRealm: true`.",
    check(d, report) {
      const { realm, admin } = d.keycloak;
      if (realm.allowAdminRealm || (realm.name !== 'master' && realm.name !== admin.realm)) return;
      report(
        ['keycloak', 'realm', 'name'],
        `is "${realm.name}", the realm administrators log in to${realm.name === 'master' ? " (Keycloak's master realm)" : ' (keycloak.admin.realm)'}: keygate would add users, scopes, client policies and a client to it`,
        'reconcile a realm of its own (for example mcp-demo); only if the admin realm is really meant, set keycloak.realm.allowAdminRealm: true',
      );
    },
  },
  {
    id: 'scope-name-invalid',
    severity: 'error',
    summary: 'A client-scope name (declared, or allowed by the gateway) has a space, `"`, `\\`, a non-ASCII or control character, or over 255 characters: Keycloak (400) and AgentCore (ValidationException) refuse it.',
    check(d, report) {
      const bad = (name: string) => !SCOPE_NAME.test(name);
      const fix = 'use printable ASCII without space, " or \\ (for example mcp:tools), at most 255 characters';
      d.keycloak.realm.clientScopes.forEach((s, i) => {
        if (bad(s.name)) report(['keycloak', 'realm', 'clientScopes', i, 'name'], `${q(s.name)} is not a client-scope name Keycloak accepts`, fix);
      });
      d.gateway.authorizer.allowedScopes.forEach((s, i) => {
        if (bad(s)) report(['gateway', 'authorizer', 'allowedScopes', i], `${q(s)} does not match AgentCore's allowed-scope pattern [\\x21\\x23-\\x5B\\x5D-\\x7E]{1,255}`, fix);
      });
      if (bad(d.verify.deniedScope)) report(['verify', 'deniedScope'], `${q(d.verify.deniedScope)} is not one scope name (a token request would read it as several, or refuse it)`, fix);
    },
  },
  {
    id: 'keycloak-name-builtin',
    severity: 'error',
    summary: "The canary client, a client scope or a user is named like one of Keycloak's built-in clients, scopes or service-account users (Keycloak answers 409 after part of the realm was written, or keygate would rewrite the built-in one).",
    check(d, report) {
      const realm = d.keycloak.realm;
      const canary = realm.canaryClient?.clientId;
      if (canary && BUILTIN_CLIENTS.includes(canary)) {
        report(['keycloak', 'realm', 'canaryClient', 'clientId'], `"${canary}" is a client every Keycloak realm has built in`, 'use a client id of its own, such as keygate-canary (the default)');
      }
      realm.clientScopes.forEach((s, i) => {
        if (BUILTIN_CLIENT_SCOPES.includes(s.name)) {
          report(['keycloak', 'realm', 'clientScopes', i, 'name'], `"${s.name}" is a client scope every Keycloak realm has built in: keygate would rewrite it for every client of the realm`, 'name the scope for your gateway, such as mcp:tools');
        }
      });
      realm.users.forEach((u, i) => {
        if (u.username.toLowerCase().startsWith(SERVICE_ACCOUNT_USER_PREFIX)) {
          report(['keycloak', 'realm', 'users', i, 'username'], `${q(u.username)} starts with "${SERVICE_ACCOUNT_USER_PREFIX}", the names Keycloak gives the users behind service-account clients (the canary's among them)`, 'choose another username');
        }
      });
    },
  },
  {
    id: 'user-invalid',
    severity: 'error',
    summary: "A user's username or email is one Keycloak's user profile refuses (username of 3 to 255 characters without `<>&\"'` spaces and the like; an email address), or an email is used twice.",
    check(d, report) {
      const emails = new Map<string, number>();
      d.keycloak.realm.users.forEach((u, i) => {
        const base = ['keycloak', 'realm', 'users', i];
        const length = [...u.username].length;
        if (length < USERNAME_LENGTH.min || length > USERNAME_LENGTH.max) {
          report([...base, 'username'], `${q(u.username)} has ${length} characters: Keycloak's user profile asks for ${USERNAME_LENGTH.min} to ${USERNAME_LENGTH.max}`, 'use a longer (or shorter) username, such as alice');
        } else if (USERNAME_PROHIBITED.test(u.username)) {
          report([...base, 'username'], `${q(u.username)} has a character Keycloak's username-prohibited-characters validator refuses (one of < > & " ' $ % ! # ? § , ; : * ~ / \\ | ^ = [ ] { } ( ) \` or a space or control character)`, 'use letters, digits and . - _ @');
        }
        if (u.email === undefined) return;
        if (!EMAIL.test(u.email)) {
          report([...base, 'email'], `${q(u.email)} is not an email address Keycloak accepts`, 'use local@domain, for example alice@example.com (at most 64 characters before the @)');
          return;
        }
        const key = u.email.toLowerCase();
        const first = emails.get(key);
        if (first !== undefined) report([...base, 'email'], `${q(u.email)} is also the email of users[${first}]: Keycloak answers 409 ("User exists with same username or email")`, 'give every user an email of its own');
        else emails.set(key, i);
      });
    },
  },
  {
    id: 'redirect-uri-scheme',
    severity: 'error',
    summary: 'A redirect URI (or another URL of the CIMD document) is not http/https, or a private-use `reverse.domain:/path` scheme for a redirect URI: `javascript:`, `data:` and the like are refused.',
    check(d, report) {
      const doc = d.cimd?.document;
      if (!doc) return;
      const lists = { redirect_uris: doc.redirect_uris, post_logout_redirect_uris: doc.post_logout_redirect_uris } as const;
      for (const [key, uris] of Object.entries(lists)) {
        uris?.forEach((uri, i) => {
          const problem = redirectSchemeProblem(uri);
          if (problem) report(['cimd', 'document', key, i], `${q(uri)} ${problem}`, 'use an http(s) URL (a loopback one such as http://127.0.0.1:6274/oauth/callback for a local client), or a private-use scheme named after a domain you own (com.example.app:/callback)');
        });
      }
      for (const key of ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'jwks_uri'] as const) {
        const url = doc[key];
        if (url !== undefined && !/^https?:$/.test(schemeOf(url) ?? '')) report(['cimd', 'document', key], `${q(url)} is not an http(s) URL`, 'use an https URL, or leave the property out');
      }
    },
  },
  {
    id: 'url-credentials',
    severity: 'error',
    summary: 'A URL in the document carries credentials (`user:password@`): they would be stored in the gateway configuration, sent to the host and written into logs.',
    check(d, report) {
      const fix = 'remove user:password@ from the URL: keygate reaches these services without credentials in URLs (secrets are SSM SecureString names)';
      const check = (path: Array<string | number>, url: string | undefined) => {
        if (url !== undefined && hasCredentials(url)) report(path, 'carries credentials (user:password@); the URL is not repeated here', fix);
      };
      check(['gateway', 'authorizer', 'discoveryUrl'], d.gateway.authorizer.discoveryUrl);
      d.targets.forEach((t, i) => check(['targets', i, 'endpoint'], t.endpoint));
      check(['keycloak', 'admin', 'url'], d.keycloak.admin.url);
      check(['verify', 'gatewayUrl'], d.verify.gatewayUrl);
      const doc = d.cimd?.document;
      for (const key of ['redirect_uris', 'post_logout_redirect_uris'] as const) doc?.[key]?.forEach((u, i) => check(['cimd', 'document', key, i], u));
      for (const key of ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'jwks_uri'] as const) check(['cimd', 'document', key], doc?.[key]);
    },
  },
  {
    id: 'endpoint-link-local',
    severity: 'error',
    summary: 'A target endpoint or the discovery URL points at a link-local or instance metadata address (169.254.0.0/16, fe80::/10, fd00:ec2::254, instance-data): a request there reads the metadata of the machine that makes it.',
    check(d, report) {
      const fix = 'use the https URL of the MCP server (or of Keycloak) itself; never an instance metadata or link-local address';
      const check = (path: Array<string | number>, url: string) => {
        const host = hostnameOf(url);
        if (host !== undefined && isLinkLocal(host)) report(path, `points at ${host}, a link-local / instance metadata address`, fix);
      };
      d.targets.forEach((t, i) => check(['targets', i, 'endpoint'], t.endpoint));
      check(['gateway', 'authorizer', 'discoveryUrl'], d.gateway.authorizer.discoveryUrl);
    },
  },
  {
    id: 'drift-schedule-invalid',
    severity: 'error',
    summary: '`drift.schedule` is not an EventBridge Scheduler expression: `rate(N minute[s]|hour[s]|day[s])`, `cron(min hour day-of-month month day-of-week year)` or `at(yyyy-mm-ddThh:mm:ss)`.',
    check(d, report) {
      const parsed = parseSchedule(d.drift.schedule);
      if ('problem' in parsed) report(['drift', 'schedule'], `${q(d.drift.schedule)} ${parsed.problem}`, 'write rate(15 minutes), or a six-field cron such as cron(0/15 * * * ? *) (see docs/desired-state.md#drift)');
    },
  },
  {
    id: 'drift-schedule-frequent',
    severity: 'warning',
    summary: '`drift.schedule` runs drift detection more often than every 5 minutes: the warning gives what the state transitions alone cost a month.',
    check(d, report) {
      const parsed = parseSchedule(d.drift.schedule);
      if ('problem' in parsed || parsed.runsPerMonth <= FREQUENT_RUNS_PER_MONTH) return;
      report(['drift', 'schedule'], describeSchedule(parsed), 'drift every 15 minutes (the default) or less often: repairs and alarms do not need more');
    },
  },
  {
    id: 'gateway-audience-unmapped',
    severity: 'error',
    summary: 'An allowed gateway audience is put into access tokens by no declared audience mapper (so no token keygate sets up carries it).',
    check(d, report) {
      const mapped = new Set(d.keycloak.realm.clientScopes.flatMap((s) => (s.audienceMapper?.addToAccessToken ? [s.audienceMapper.audience] : [])));
      // A resource-indicator binding issues its resource as the audience (functions/core/keycloak/audience-binding.ts).
      const bound = resourceBinding(d.keycloak.realm);
      if (bound) mapped.add(bound.resource);
      d.gateway.authorizer.allowedAudiences.forEach((aud, i) => {
        // Keycloak's own `account` audience is in tokens without a mapper; gateway-audience-account warns about it.
        if (aud === 'account' || mapped.has(aud)) return;
        report(['gateway', 'authorizer', 'allowedAudiences', i], `${q(aud)} is put into access tokens by no audience mapper declared in realm ${d.keycloak.realm.name}: the gateway would accept an audience keygate never issues`, `add an audienceMapper with audience ${q(aud)} (addToAccessToken: true) to a client scope the clients get, or remove the audience`);
      });
    },
  },
  {
    id: 'control-characters',
    severity: 'error',
    summary: 'A value holds a control character or a Unicode bidirectional / invisible format character (or a name holds a tab or line break): it could repaint a terminal or read differently from what it is.',
    check(d, report) {
      walkStrings(d, [], report);
    },
  },
];

/** More runs than this a month (every 5 minutes) make drift-schedule-frequent warn. */
export const FREQUENT_RUNS_PER_MONTH = (30 * 24 * 60) / 5;

function schemeOf(url: string): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url.trim());
  return match ? `${match[1]!.toLowerCase()}:` : undefined;
}

function redirectSchemeProblem(uri: string): string | undefined {
  const scheme = schemeOf(uri);
  if (!scheme) return 'is not an absolute URI';
  if (DANGEROUS_SCHEMES.has(scheme)) return `uses the ${scheme} scheme, which runs or carries content instead of returning to the client`;
  if (scheme === 'http:' || scheme === 'https:') {
    try {
      new URL(uri);
      return undefined;
    } catch {
      return 'is not a valid URL';
    }
  }
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name the client controls.
  return scheme.includes('.') ? undefined : `uses the ${scheme} scheme, neither http(s) nor a private-use reverse-domain scheme (RFC 8252 §7.1)`;
}

function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(url);
  }
}

/** The host as the WHATWG parser normalizes it (so 0xa9.0xfe.0xa9.0xfe and 2852039166 are 169.254.169.254). */
function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

function isLinkLocal(host: string): boolean {
  if (/^169\.254\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (/^fe[89ab][0-9a-f]?:/.test(host)) return true;
  if (host === 'fd00:ec2::254' || host === 'fd00:ec2:0:0:0:0:0:254') return true;
  // An IPv4-mapped IPv6 address of the metadata service (the parser writes it in hex).
  if (host === '::ffff:a9fe:a9fe') return true;
  return host === 'instance-data' || host === 'instance-data.ec2.internal' || host === 'metadata.google.internal';
}

/** In a name (not free text) tab and line breaks are refused too. */
const LINE_OR_TAB = /[\t\n\r\u2028\u2029]/;
/** Keys whose values are names or identifiers (not free text). */
const NAME_KEYS = new Set(['name', 'username', 'email', 'clientId', 'audience', 'realm', 'allowedAudiences', 'allowedScopes', 'allowedClients', 'profiles', 'deniedScope', 'instanceId']);

function walkStrings(value: unknown, path: Array<string | number>, report: Reporter): void {
  if (typeof value === 'string') {
    const key = [...path].reverse().find((s) => typeof s === 'string');
    if (hasUnsafeChars(value) || (key !== undefined && NAME_KEYS.has(key) && LINE_OR_TAB.test(value))) {
      report(path, `holds a control or invisible formatting character: ${JSON.stringify(escapeForDisplay(value))} (escaped here)`, 'remove it: type the value again in a plain editor (bidirectional overrides and zero-width characters make text read differently from what it is)');
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], report));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], report);
}

