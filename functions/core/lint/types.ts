import type { DesiredState } from '../desired/document';

export type Severity = 'error' | 'warning';

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** Formatted document path, e.g. `keycloak.realm.clientScopes[0].audienceMapper.audience`. */
  path: string;
  pathSegments: Array<string | number>;
  message: string;
  fix: string;
  line?: number;
  column?: number;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** One line for the README rules table. */
  summary: string;
  check(desired: DesiredState, report: Reporter): void;
}

export type Reporter = (path: Array<string | number>, message: string, fix: string) => void;
