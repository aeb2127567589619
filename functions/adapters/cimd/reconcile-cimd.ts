import { sha256 } from '../../core/cimd/digest';
import { planCimdDocument, publishableCimd, type CimdChange } from '../../core/cimd/plan-cimd';
import type { DesiredCimd } from '../../core/desired/cimd';
import type { DesiredState } from '../../core/desired/document';
import { CimdDocumentRejectedError, CimdNotConvergedError, CimdPublishFailedError } from '../../core/errors';
import type { CimdDestination } from './destination';

/**
 * What a publish (or an observation) found and did. Small enums for the state machines:
 * publish → `created | updated | unchanged`; observe → `in-sync | drifted`; both → `skipped` when
 * keygate does not publish the document (no `cimd` section, or no `cimd.publish`).
 */
export type CimdOutcome =
  | { mode: CimdMode; outcome: 'skipped'; reason: string; url?: string }
  | { mode: CimdMode; outcome: 'created' | 'updated' | 'unchanged' | 'in-sync' | 'drifted'; url: string; destination: string; plan: CimdChange };

export type CimdMode = 'publish' | 'observe';

/** Why keygate leaves the document alone, or undefined when it publishes it. */
export function skipReason(cimd: DesiredCimd | undefined): string | undefined {
  if (!cimd) return 'the document has no cimd section: clients are pre-registered';
  if (!cimd.publish) return 'cimd.publish is absent: keygate does not publish this document (verification still compares the served copy)';
  return undefined;
}

/**
 * Observe → plan → (publish mode, when the plan is not a noop) write → read back and require a noop.
 * A document failing the CIMD lint rules is refused before anything is read or written; a directory
 * or link where the document belongs, or a file that is not a CIMD document for this client_id (a
 * foreign file), is refused before anything is written.
 */
export async function reconcileCimd(desired: DesiredState & { cimd: DesiredCimd }, destination: CimdDestination, opts: { mode: CimdMode; signal?: AbortSignal }): Promise<CimdOutcome> {
  const url = desired.cimd.url;
  const gate = publishableCimd(desired);
  if ('rejected' in gate) throw new CimdDocumentRejectedError(url, gate.rejected.map(({ ruleId, path, message }) => ({ ruleId, path, message })));
  const { rendered } = gate;
  const plan = planCimdDocument(url, rendered, await destination.observe(sha256(rendered.text), opts.signal), destination.attributes);
  const base = { mode: opts.mode, url, destination: destination.description, plan };
  if (opts.mode === 'observe') return { ...base, outcome: plan.action === 'noop' ? 'in-sync' : 'drifted' };
  if (plan.action === 'noop') return { ...base, outcome: 'unchanged' };
  if (plan.reason === 'conflict') throw new CimdPublishFailedError(url, destination.description, `${plan.fields[0]?.actual} stands there; keygate replaces only regular files it wrote (remove it, or change cimd.publish)`);
  if (plan.reason === 'foreign') {
    throw new CimdPublishFailedError(url, destination.description, `${plan.fields[0]?.actual} stands there; keygate replaces only the document it publishes there (a JSON object with client_id ${url}) and keeps no copy of anything else: move it away, or change cimd.publish`);
  }
  const after = planCimdDocument(url, rendered, await destination.publish(rendered, opts.signal), destination.attributes);
  if (after.action !== 'noop') throw new CimdNotConvergedError(url, destination.description, after.fields.map((f) => f.field));
  return { ...base, outcome: plan.action === 'create' ? 'created' : 'updated' };
}
