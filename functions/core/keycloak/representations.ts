// Keycloak admin REST representations, exactly as the admin API takes them (Keycloak 26.6;
// keycloak-admin-reference.md). tests/unit/core/keycloak/representation-types.test.ts checks them
// against @keycloak/keycloak-admin-client's own definitions at compile time.

export interface RealmRepresentation {
  realm: string;
  enabled: true;
}

export interface UserRepresentation {
  username: string;
  enabled: boolean;
  emailVerified: boolean;
  email?: string;
  firstName?: string;
  lastName?: string;
}

export interface ClientScopeRepresentation {
  name: string;
  description?: string;
  protocol: 'openid-connect';
  attributes: Record<string, string>;
}

export interface ProtocolMapperRepresentation {
  name: string;
  protocol: 'openid-connect';
  protocolMapper: string;
  config: Record<string, string>;
}

export type ConfigValue = string | string[];

export interface ClientProfileRepresentation {
  name: string;
  description?: string;
  executors: Array<{ executor: string; configuration: Record<string, ConfigValue> }>;
}

export interface ClientPolicyRepresentation {
  name: string;
  description?: string;
  /** Keycloak defaults a missing `enabled` to false (§1.2), so keygate always sends true. */
  enabled: true;
  conditions: Array<{ condition: string; configuration: Record<string, ConfigValue> }>;
  profiles: string[];
}

export interface ClientProfilesRepresentation {
  profiles: ClientProfileRepresentation[];
}

export interface ClientPoliciesRepresentation {
  policies: ClientPolicyRepresentation[];
}
