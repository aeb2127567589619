import { DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../../../functions/core/desired/cimd-publish';
import { lintDesiredState, RULES } from '../../../../functions/core/lint';
import { FREQUENT_SCHEDULE, HOSTILE_INPUTS } from '../../../support/hostile-inputs';
import { seedDesired, seedWith } from '../../../support/seed';

type Edit = (raw: Record<string, any>) => void;
const cimdProfile = (raw: Record<string, any>) => raw.keycloak.realm.clientProfiles[0].executors[0].configuration;
const redirectEnforcer = (raw: Record<string, any>) => raw.keycloak.realm.clientProfiles[1].executors[3].configuration;

/** What the CLI lints with by default: the template's CimdPublishDirectory. */
const STACK = { cimdPublishDirectory: DEFAULT_CIMD_PUBLISH_DIRECTORY };

const GW = 'https://mcp-gateway-keycloak-demo-4xk2m9p7qz.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
/** The seed bound by RFC 8707 resource indicators on Keycloak 26.7.3 (lint-clean). */
const resourceIndicator: Edit = (r) => {
  r.keycloak.version = '26.7.3';
  r.keycloak.realm.audienceBinding = { strategy: 'resource-indicator', resource: GW };
  r.gateway.authorizer.allowedAudiences = [GW];
  r.verify.gatewayUrl = GW;
  r.cimd.document.grant_types = ['authorization_code', 'refresh_token'];
};
const withResourceIndicator = (edit: Edit): Edit => (r) => {
  resourceIndicator(r);
  edit(r);
};

/** One violation per rule: the edit, the finding's path and a fragment of its message. */
const VIOLATIONS: Array<{ rule: string; path: string; message: RegExp; edit: Edit }> = [
  { rule: 'gateway-name-invalid', path: 'gateway.name', message: /not a valid AgentCore gateway name/, edit: (r) => (r.gateway.name = 'mcp_gateway') },
  { rule: 'gateway-name-invalid', path: 'gateway.name', message: /"a{49}"/, edit: (r) => (r.gateway.name = 'a'.repeat(49)) },
  { rule: 'gateway-name-invalid', path: 'gateway.name', message: /mcp--gw/, edit: (r) => (r.gateway.name = 'mcp--gw') },
  { rule: 'target-name-invalid', path: 'targets[0].name', message: /not a valid AgentCore target name/, edit: (r) => (r.targets[0].name = 'my mcp server') },
  { rule: 'target-name-invalid', path: 'targets[1].name', message: /declared twice/, edit: (r) => r.targets.push({ ...r.targets[0] }) },
  { rule: 'target-endpoint-not-https', path: 'targets[0].endpoint', message: /not an https URL/, edit: (r) => (r.targets[0].endpoint = 'http://mcp-server.agentcore-keycloak-example.com/mcp') },
  { rule: 'discovery-url-not-https', path: 'gateway.authorizer.discoveryUrl', message: /not an https URL/, edit: (r) => (r.gateway.authorizer.discoveryUrl = 'http://auth.agentcore-keycloak-example.com/realms/mcp-demo/.well-known/openid-configuration') },
  { rule: 'discovery-url-suffix', path: 'gateway.authorizer.discoveryUrl', message: /must end with \/\.well-known\/openid-configuration/, edit: (r) => (r.gateway.authorizer.discoveryUrl = 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo') },
  { rule: 'discovery-url-realm-mismatch', path: 'gateway.authorizer.discoveryUrl', message: /names realm "master" but keycloak\.realm\.name is "mcp-demo"/, edit: (r) => (r.gateway.authorizer.discoveryUrl = 'https://auth.agentcore-keycloak-example.com/realms/master/.well-known/openid-configuration') },
  { rule: 'gateway-audience-unrestricted', path: 'gateway.authorizer.allowedAudiences', message: /accepts tokens minted for any audience/, edit: (r) => { r.gateway.authorizer.allowedAudiences = []; } },
  { rule: 'gateway-audience-account', path: 'gateway.authorizer.allowedAudiences[1]', message: /"account"/, edit: (r) => r.gateway.authorizer.allowedAudiences.push('account') },
  { rule: 'mcp-version-unsupported', path: 'gateway.protocol.supportedVersions[1]', message: /"2026-07-29" is not an MCP version AgentCore Gateway accepts/, edit: (r) => (r.gateway.protocol = { supportedVersions: ['2025-11-25', '2026-07-29'] }) },
  { rule: 'mcp-version-unsupported', path: 'gateway.protocol.supportedVersions[0]', message: /"2024-11-05" is not an MCP version/, edit: (r) => (r.gateway.protocol = { supportedVersions: ['2024-11-05'] }) },
  { rule: 'mcp-version-unsupported', path: 'gateway.protocol.supportedVersions[1]', message: /listed twice/, edit: (r) => (r.gateway.protocol = { supportedVersions: ['2026-07-28', '2026-07-28'] }) },
  { rule: 'mcp-version-unsupported', path: 'gateway.protocol.supportedVersions', message: /empty list/, edit: (r) => (r.gateway.protocol = { supportedVersions: [] }) },
  { rule: 'mcp-dcr-deprecated', path: 'cimd', message: /speaks MCP 2026-07-28.*fall back to Dynamic Client Registration, deprecated in 2026-07-28/, edit: (r) => {
    r.gateway.protocol = { supportedVersions: ['2026-07-28'] };
    delete r.cimd;
  } },
  { rule: 'mcp-dcr-deprecated', path: 'keycloak.realm.clientPolicies', message: /without a client policy with a client-id-uri condition/, edit: (r) => {
    r.gateway.protocol = { supportedVersions: ['2026-07-28', '2025-11-25'] };
    r.keycloak.realm.clientPolicies.shift();
  } },
  { rule: 'resource-indicator-unsupported', path: 'keycloak.realm.audienceBinding.strategy', message: /keycloak\.version 26\.6\.1 has no RFC 8707 resource indicators \(experimental from Keycloak 26\.7\.0\)/, edit: withResourceIndicator((r) => (r.keycloak.version = '26.6.1')) },
  { rule: 'resource-indicator-resource-invalid', path: 'keycloak.realm.audienceBinding', message: /names no resource/, edit: withResourceIndicator((r) => delete r.keycloak.realm.audienceBinding.resource) },
  { rule: 'resource-indicator-resource-invalid', path: 'keycloak.realm.audienceBinding.resource', message: /has a fragment/, edit: withResourceIndicator((r) => (r.keycloak.realm.audienceBinding.resource = `${GW}#x`)) },
  { rule: 'resource-indicator-resource-invalid', path: 'keycloak.realm.audienceBinding.resource', message: /is not an https URL/, edit: withResourceIndicator((r) => (r.keycloak.realm.audienceBinding.resource = 'urn:client:mcp-gateway-demo')) },
  { rule: 'resource-indicator-gateway-mismatch', path: 'keycloak.realm.audienceBinding.resource', message: /is not the gateway URL https:\/\/mcp-gateway-keycloak-demo-4xk2m9p7qz.*invalid_target/, edit: withResourceIndicator((r) => {
    r.keycloak.realm.audienceBinding.resource = `${GW}/`;
    r.gateway.authorizer.allowedAudiences = [`${GW}/`];
  }) },
  { rule: 'resource-indicator-audience-not-allowed', path: 'gateway.authorizer.allowedAudiences', message: /lacks "https:\/\/mcp-gateway-keycloak-demo/, edit: withResourceIndicator((r) => (r.gateway.authorizer.allowedAudiences = ['mcp-gateway-demo'])) },
  { rule: 'resource-indicator-client-unmapped', path: 'keycloak.realm.audienceBinding.clientId', message: /"mcp-gateway" is put into access tokens by no audience mapper/, edit: withResourceIndicator((r) => (r.keycloak.realm.audienceBinding.clientId = 'mcp-gateway')) },
  { rule: 'resource-indicator-client-unmapped', path: 'keycloak.realm.clientScopes', message: /has no audience mapper/, edit: withResourceIndicator((r) => delete r.keycloak.realm.clientScopes[0].audienceMapper) },
  { rule: 'resource-indicator-refresh-token', path: 'cimd.document.grant_types', message: /lacks refresh_token.*HTTP 500/, edit: withResourceIndicator((r) => (r.cimd.document.grant_types = ['authorization_code'])) },
  { rule: 'vpce-source-missing', path: 'resourcePolicy.vpcEndpoint', message: /names no VPC endpoint/, edit: (r) => (r.resourcePolicy.vpcEndpoint = {}) },
  { rule: 'vpce-source-missing', path: 'resourcePolicy.vpcEndpoint', message: /sets both parameterName and ids/, edit: (r) => (r.resourcePolicy.vpcEndpoint.ids = ['vpce-0123456789abcdef0']) },
  { rule: 'vpce-id-invalid', path: 'resourcePolicy.vpcEndpoint.ids[0]', message: /"vpce-xyz" is not a VPC endpoint id/, edit: (r) => (r.resourcePolicy.vpcEndpoint = { ids: ['vpce-xyz'] }) },
  { rule: 'vpce-id-invalid', path: 'resourcePolicy.vpcEndpoint.ids[0]', message: /"\*"/, edit: (r) => (r.resourcePolicy.vpcEndpoint = { ids: ['*'] }) },
  { rule: 'resource-policy-unmanaged', path: 'resourcePolicy', message: /is not declared/, edit: (r) => delete r.resourcePolicy },
  { rule: 'audience-mapper-not-allowed', path: 'keycloak.realm.clientScopes[0].audienceMapper.audience', message: /"mcp-gateway" is not in gateway\.authorizer\.allowedAudiences/, edit: (r) => (r.keycloak.realm.clientScopes[0].audienceMapper.audience = 'mcp-gateway') },
  { rule: 'scope-not-defined', path: 'gateway.authorizer.allowedScopes[1]', message: /"mcp:admin" is not a client scope of realm mcp-demo/, edit: (r) => r.gateway.authorizer.allowedScopes.push('mcp:admin') },
  { rule: 'scope-not-in-token', path: 'keycloak.realm.clientScopes[0].includeInTokenScope', message: /is off for "mcp:tools"/, edit: (r) => (r.keycloak.realm.clientScopes[0].includeInTokenScope = false) },
  { rule: 'policy-profile-unknown', path: 'keycloak.realm.clientPolicies[1].profiles[0]', message: /"oauth-2-1-public" is neither declared/, edit: (r) => (r.keycloak.realm.clientPolicies[1].profiles = ['oauth-2-1-public']) },
  { rule: 'profile-name-builtin', path: 'keycloak.realm.clientProfiles[1].name', message: /built-in profile name/, edit: (r) => {
    r.keycloak.realm.clientProfiles[1].name = 'oauth-2-1-for-public-client';
    r.keycloak.realm.clientPolicies[1].profiles = ['oauth-2-1-for-public-client'];
  } },
  { rule: 'keycloak-name-duplicate', path: 'keycloak.realm.clientScopes[1]', message: /"mcp:tools" is declared twice in clientScopes/, edit: (r) => r.keycloak.realm.clientScopes.push({ name: 'mcp:tools' }) },
  { rule: 'kc49456-workaround-missing', path: 'keycloak.realm.workarounds.kc49456', message: /bypass secure-redirect-uris-enforcer \(keycloak\/keycloak#49456\)/, edit: (r) => (r.keycloak.realm.workarounds.kc49456 = 'off') },
  { rule: 'kc49456-workaround-missing', path: 'keycloak.realm.clientPolicies[0].profiles', message: /no public-client policy provides one/, edit: (r) => r.keycloak.realm.clientPolicies.splice(1, 1) },
  { rule: 'http-scheme-allowed', path: 'keycloak.realm.clientProfiles[0].executors[0].configuration.cimd-allow-http-scheme', message: /accepts http client_id/, edit: (r) => (cimdProfile(r)['cimd-allow-http-scheme'] = true) },
  { rule: 'http-scheme-allowed', path: 'keycloak.realm.clientProfiles[1].executors[3].configuration.allow-http-scheme', message: /accepts http redirect URIs, and no declared redirect URI needs it/, edit: (r) => {
    r.cimd.document.redirect_uris = ['https://app.agentcore-keycloak-example.com/oauth/callback'];
    cimdProfile(r)['cimd-allow-permitted-domains'].push('app.agentcore-keycloak-example.com');
  } },
  { rule: 'cimd-profile-order', path: 'keycloak.realm.clientPolicies[0].profiles', message: /runs "oauth-2-1-for-public-client-no-dpop" \(secure-redirect-uris-enforcer\) before "cimd-profile" .*"Invalid parameter: clientId"/, edit: (r) => (r.keycloak.realm.clientPolicies[0].profiles = ['oauth-2-1-for-public-client-no-dpop', 'cimd-profile']) },
  { rule: 'http-scheme-allowed', path: 'keycloak.realm.clientPolicies[0].conditions[0].configuration.client-id-uri-scheme', message: /matches http client_id URLs/, edit: (r) => r.keycloak.realm.clientPolicies[0].conditions[0].configuration['client-id-uri-scheme'].push('http') },
  { rule: 'keycloak-admin-access', path: 'keycloak.admin.url', message: /not a loopback URL/, edit: (r) => (r.keycloak.admin.url = 'https://auth.agentcore-keycloak-example.com') },
  { rule: 'kcadm-unsupported', path: 'keycloak.admin.kcadm', message: /is not supported yet/, edit: (r) => {
    delete r.keycloak.admin.url;
    r.keycloak.admin.kcadm = { container: 'keycloak' };
  } },
  { rule: 'instance-id-invalid', path: 'keycloak.instanceId', message: /not an EC2 instance id/, edit: (r) => (r.keycloak.instanceId = 'keycloak-host') },
  { rule: 'cimd-client-id-mismatch', path: 'cimd.document.client_id', message: /differs from cimd\.url/, edit: (r) => (r.cimd.document.client_id = 'https://cimd.agentcore-keycloak-example.com/other.json') },
  { rule: 'cimd-url-invalid', path: 'cimd.url', message: /is not https/, edit: (r) => (r.cimd.url = 'http://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json') },
  { rule: 'cimd-url-invalid', path: 'cimd.url', message: /has no path/, edit: (r) => (r.cimd.url = 'https://cimd.agentcore-keycloak-example.com/') },
  { rule: 'cimd-url-invalid', path: 'cimd.url', message: /has a query/, edit: (r) => (r.cimd.url = 'https://cimd.agentcore-keycloak-example.com/c.json?v=1') },
  { rule: 'cimd-client-secret', path: 'cimd.document.token_endpoint_auth_method', message: /shared-secret method/, edit: (r) => (r.cimd.document.token_endpoint_auth_method = 'client_secret_basic') },
  { rule: 'cimd-client-secret', path: 'cimd.document.client_secret', message: /can carry no secret/, edit: (r) => (r.cimd.document.client_secret = 's3cr3t') },
  { rule: 'cimd-required-property-missing', path: 'cimd.document', message: /lacks "client_name", which MCP 2025-11-25 requires/, edit: (r) => delete r.cimd.document.client_name },
  { rule: 'cimd-required-property-missing', path: 'cimd.document', message: /lacks "logo_uri", which the CIMD executor requires/, edit: (r) => cimdProfile(r)['cimd-required-properties'].push('logo_uri') },
  { rule: 'cimd-trusted-domain-client-id', path: 'cimd.url', message: /host "cimd\.agentcore-keycloak-example\.com" is not among the CIMD executor's trusted domains/, edit: (r) => (cimdProfile(r)['cimd-allow-permitted-domains'] = ['127.0.0.1']) },
  { rule: 'cimd-trusted-domain-redirect', path: 'cimd.document.redirect_uris[0]', message: /host "127\.0\.0\.1"/, edit: (r) => (cimdProfile(r)['cimd-allow-permitted-domains'] = ['cimd.agentcore-keycloak-example.com']) },
  { rule: 'cimd-trusted-domain-redirect', path: 'cimd.document.logo_uri', message: /host "img\.example\.org"/, edit: (r) => (r.cimd.document.logo_uri = 'https://img.example.org/logo.png') },
  { rule: 'cimd-trusted-domain-jwks-uri', path: 'cimd.document.jwks_uri', message: /host "keys\.example\.org" of the client's key set/, edit: (r) => (r.cimd.document.jwks_uri = 'https://keys.example.org/jwks.json') },
  { rule: 'cimd-condition-domain', path: 'keycloak.realm.clientPolicies[0].conditions[0].configuration.client-id-uri-allow-permitted-domains', message: /does not cover "cimd\.agentcore-keycloak-example\.com"/, edit: (r) => (r.keycloak.realm.clientPolicies[0].conditions[0].configuration['client-id-uri-allow-permitted-domains'] = ['auth.agentcore-keycloak-example.com']) },
  { rule: 'redirect-uri-localhost', path: 'cimd.document.redirect_uris[0]', message: /uses localhost/, edit: (r) => {
    r.cimd.document.redirect_uris = ['http://localhost:6274/oauth/callback'];
    cimdProfile(r)['cimd-allow-permitted-domains'].push('localhost');
  } },
  { rule: 'redirect-uri-loopback-port', path: 'cimd.document.redirect_uris[0]', message: /registers a loopback redirect URI with a port: under oauth-2-1-compliant, Keycloak 26\.7 refuses the CIMD registration/, edit: (r) => (r.cimd.document.redirect_uris = ['http://127.0.0.1:6274/oauth/callback']) },
  { rule: 'redirect-uri-http-refused', path: 'cimd.document.redirect_uris[0]', message: /has allow-http-scheme off: Keycloak refuses it/, edit: (r) => (redirectEnforcer(r)['allow-http-scheme'] = false) },
  { rule: 'cimd-not-configured', path: 'cimd', message: /no client policy with a client-id-uri condition/, edit: (r) => r.keycloak.realm.clientPolicies.splice(0, 1) },
  { rule: 'cimd-document-too-large', path: 'cimd.document', message: /over 5000/, edit: (r) => (r.cimd.document.contacts = Array.from({ length: 200 }, (_, i) => `ops-${i}@agentcore-keycloak-example.com`)) },
  { rule: 'cimd-publish-mode-unsafe', path: 'cimd.publish.host.mode', message: /0664 lets other users on the host rewrite/, edit: (r) => (r.cimd.publish.host.mode = '0664') },
  { rule: 'cimd-publish-mode-unreadable', path: 'cimd.publish.host.mode', message: /0640 gives others no read access/, edit: (r) => (r.cimd.publish.host.mode = '0640') },
  { rule: 'cimd-publish-path-mismatch', path: 'cimd.publish.host.path', message: /"\/opt\/cimd\/public\/client\.json" does not end with "\/oauth\/client-metadata\.json"/, edit: (r) => (r.cimd.publish.host.path = '/opt/cimd/public/client.json') },
  { rule: 'cimd-publish-path-mismatch', path: 'cimd.publish.s3.key', message: /"docs\/client\.json" does not end with "oauth\/client-metadata\.json"/, edit: (r) => (r.cimd.publish = { s3: { bucket: 'b', key: 'docs/client.json' } }) },
  { rule: 'cimd-publish-path-outside-directory', path: 'cimd.publish.host.path', message: /"\/etc\/passwd" is outside \/opt\/cimd\/public, the only directory this stack may publish under/, edit: (r) => (r.cimd.publish.host.path = '/etc/passwd') },
  { rule: 'cimd-publish-path-outside-directory', path: 'cimd.publish.host.path', message: /"\/root\/\.ssh\/authorized_keys" is outside/, edit: (r) => (r.cimd.publish.host.path = '/root/.ssh/authorized_keys') },
  { rule: 'cimd-publish-path-outside-directory', path: 'cimd.publish.host.path', message: /"\/opt\/cimd\/public-old\/oauth\/client-metadata\.json" is outside/, edit: (r) => (r.cimd.publish.host.path = '/opt/cimd/public-old/oauth/client-metadata.json') },
  { rule: 'verify-tool-target-unknown', path: 'verify.expectedTools[0]', message: /"add_numbers" is not <target>___<tool>/, edit: (r) => (r.verify.expectedTools[0] = 'add_numbers') },
  { rule: 'verify-tool-target-unknown', path: 'verify.toolCalls[0].tool', message: /"other-server___add_numbers"/, edit: (r) => (r.verify.toolCalls[0].tool = 'other-server___add_numbers') },
  { rule: 'verify-gateway-url-invalid', path: 'verify.gatewayUrl', message: /not the gateway's https MCP URL/, edit: (r) => (r.verify.gatewayUrl = 'http://gw.example.com/mcp') },
  { rule: 'verify-canary-missing', path: 'keycloak.realm', message: /declares no canaryClient/, edit: (r) => delete r.keycloak.realm.canaryClient },
  { rule: 'verify-network-missing', path: 'verify', message: /Keycloak is reached through a private endpoint/, edit: (r) => delete r.verify.network },
  { rule: 'drift-schedule-frequent', path: 'drift.schedule', message: /about 43,200 times a month: about 1,036,800 state transitions \(24 per run without drift\), USD 25\.92 a month/, edit: FREQUENT_SCHEDULE },
  // The hostile inputs (tests/support/hostile-inputs.ts): one case each.
  ...HOSTILE_INPUTS.map((h) => ({ rule: h.rule, path: h.path, message: /\S/, edit: h.edit })),
];

describe('lint rules', () => {
  it('finds nothing in the seed: its http loopback callback needs allow-http-scheme, so that is no warning', () => {
    // Act
    const findings = lintDesiredState(seedDesired(), STACK);
    // Assess
    expect(findings.map((f) => [f.ruleId, f.severity, f.path])).toEqual([]);
  });

  it('redirect-uri-localhost suggests 127.0.0.1 without the port (what Keycloak 26.7 registers)', () => {
    const desired = seedWith((r) => {
      r.cimd.document.redirect_uris = ['http://localhost:6274/oauth/callback'];
      cimdProfile(r)['cimd-allow-permitted-domains'].push('localhost');
    });
    const finding = lintDesiredState(desired).find((f) => f.ruleId === 'redirect-uri-localhost')!;
    expect(finding.fix).toMatch(/^use "http:\/\/127\.0\.0\.1\/oauth\/callback" \(no port/);
    // A localhost URI is one finding, not two: the port is part of the same fix.
    expect(lintDesiredState(desired).map((f) => f.ruleId)).not.toContain('redirect-uri-loopback-port');
  });

  it('the #49456 workaround\'s own additions come after the declared profiles: never out of order', () => {
    expect(lintDesiredState(seedDesired()).map((f) => f.ruleId)).not.toContain('cimd-profile-order');
  });

  it.each(VIOLATIONS.map((v) => [v.rule, v.path, v] as const))('%s at %s', (_rule, _path, v) => {
    // Prepare
    const desired = seedWith(v.edit);
    // Act
    const findings = lintDesiredState(desired, STACK).filter((f) => f.ruleId === v.rule);
    // Assess
    const finding = findings.find((f) => f.path === v.path);
    expect(finding).toBeDefined();
    expect(finding!.message).toMatch(v.message);
    expect(finding!.fix.length).toBeGreaterThan(10);
    expect(finding!.severity).toBe(RULES.find((r) => r.id === v.rule)!.severity);
  });

  it.each([
    ['alone', (r: Record<string, any>) => {
      delete r.keycloak.admin.url;
      r.keycloak.admin.kcadm = { container: 'keycloak' };
    }],
    ['next to url', (r: Record<string, any>) => (r.keycloak.admin.kcadm = { container: 'keycloak', serverUrl: 'http://keycloak:8080' })],
  ])('refuses keycloak.admin.kcadm %s as an error whose fix is the loopback admin URL, never kcadm', (_where, edit) => {
    const findings = lintDesiredState(seedWith(edit)).filter((f) => f.severity === 'error');
    expect(findings.map((f) => [f.ruleId, f.path])).toEqual([['kcadm-unsupported', 'keycloak.admin.kcadm']]);
    expect(findings[0]!.fix).toMatch(/^remove keycloak\.admin\.kcadm and set keycloak\.admin\.url to the loopback admin URL \(default http:\/\/127\.0\.0\.1:8080\)/);
    expect(findings[0]!.fix.replace('remove keycloak.admin.kcadm', '')).not.toMatch(/kcadm/);
  });

  it('checks the publish path against the directory the stack declares, and only when it is known', () => {
    const elsewhere = seedWith((r) => (r.cimd.publish.host.path = '/srv/www/oauth/client-metadata.json'));
    const ids = (context: Parameters<typeof lintDesiredState>[1]) => lintDesiredState(elsewhere, context).map((f) => f.ruleId);
    expect(ids(STACK)).toContain('cimd-publish-path-outside-directory');
    expect(ids({ cimdPublishDirectory: '/srv/www' })).not.toContain('cimd-publish-path-outside-directory');
    expect(ids({ cimdPublishDirectory: '/srv/www/oauth/client-metadata.json' })).toContain('cimd-publish-path-outside-directory');
    expect(ids({})).not.toContain('cimd-publish-path-outside-directory');
    const finding = lintDesiredState(elsewhere, STACK).find((f) => f.ruleId === 'cimd-publish-path-outside-directory')!;
    expect(finding.fix).toBe('publish under /opt/cimd/public/, for example /opt/cimd/public/oauth/client-metadata.json; or, if the web root is elsewhere, deploy with CimdPublishDirectory set to it (and pass --cimd-publish-directory to keygate)');
  });

  it('mcp-version-unsupported names the nearest accepted version in its fix, and the seed with both eras has no MCP finding', () => {
    const typo = lintDesiredState(seedWith((r) => (r.gateway.protocol = { supportedVersions: ['2026-07-38'] }))).find((f) => f.ruleId === 'mcp-version-unsupported')!;
    expect(typo.fix).toMatch(/^use "2026-07-28"/);
    const both = lintDesiredState(seedWith((r) => (r.gateway.protocol = { supportedVersions: ['2026-07-28', '2025-11-25'] })));
    expect(both.map((f) => f.ruleId).filter((id) => id.startsWith('mcp-'))).toEqual([]);
    // A 2025-era gateway without CIMD relies on DCR too, but DCR is not deprecated there.
    expect(lintDesiredState(seedWith((r) => delete r.cimd)).map((f) => f.ruleId)).not.toContain('mcp-dcr-deprecated');
  });

  it('the seed bound by resource indicators on 26.7.3 is lint-clean: the mapper\'s audience need not be allowed, the resource counts as issued', () => {
    expect(lintDesiredState(seedWith(resourceIndicator), STACK).filter((f) => f.severity === 'error')).toEqual([]);
    expect(lintDesiredState(seedWith(resourceIndicator), STACK).map((f) => f.ruleId)).not.toContain('audience-mapper-not-allowed');
  });

  it('has a violating case for every rule', () => {
    expect(new Set(VIOLATIONS.map((v) => v.rule))).toEqual(new Set(RULES.map((r) => r.id)));
  });

  it('applies no #49456 finding from Keycloak 26.7.0 on, even with the workaround off', () => {
    const desired = seedWith((r) => {
      r.keycloak.version = '26.7.0';
      r.keycloak.realm.workarounds.kc49456 = 'off';
    });
    expect(lintDesiredState(desired).map((f) => f.ruleId)).not.toContain('kc49456-workaround-missing');
  });

  it('accepts the workaround written by hand instead of by keygate', () => {
    const desired = seedWith((r) => {
      r.keycloak.realm.workarounds.kc49456 = 'off';
      r.keycloak.realm.clientPolicies[0].profiles.push('oauth-2-1-for-public-client-no-dpop');
    });
    expect(lintDesiredState(desired).map((f) => f.ruleId)).not.toContain('kc49456-workaround-missing');
  });

  it('accepts a built-in profile in a policy and a wildcard trusted domain', () => {
    const desired = seedWith((r) => {
      r.keycloak.realm.clientPolicies[1].profiles = ['oauth-2-1-for-public-client'];
      cimdProfile(r)['cimd-allow-permitted-domains'] = ['*.agentcore-keycloak-example.com', '127.0.0.1'];
    });
    const ids = lintDesiredState(desired).map((f) => f.ruleId);
    expect(ids).not.toContain('policy-profile-unknown');
    expect(ids).not.toContain('cimd-trusted-domain-client-id');
  });

  it('does not flag localhost redirects when no OAuth 2.1-compliant enforcer applies', () => {
    const desired = seedWith((r) => {
      r.cimd.document.redirect_uris = ['http://localhost:6274/oauth/callback'];
      cimdProfile(r)['cimd-allow-permitted-domains'].push('localhost');
      redirectEnforcer(r)['oauth-2-1-compliant'] = false;
    });
    expect(lintDesiredState(desired).map((f) => f.ruleId)).not.toContain('redirect-uri-localhost');
  });
});
