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

/** What lint knows about the stack besides the document (from its template parameters). */
export interface LintContext {
  /**
   * The stack's CimdPublishDirectory: `cimd.publish.host.path` must lie inside it. The CLI passes
   * `--cimd-publish-directory` (default the template's default), Load Desired State the deployed
   * parameter; unset (a check after loading) it is not checked again: the host executor refuses too.
   */
  cimdPublishDirectory?: string;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** One line for the README rules table. */
  summary: string;
  check(desired: DesiredState, report: Reporter, context: LintContext): void;
}

export type Reporter = (path: Array<string | number>, message: string, fix: string) => void;
