/**
 * The program the host executor (functions/host/executor.py) runs: an ordered list of operations
 * against Keycloak's admin REST API on the host's loopback, and on the files keygate owns on the host
 * (the CIMD document: `stat-file`, `write-file`). TypeScript decides everything (what to
 * read, what to write, in which order); the executor only performs the list, stops at the first
 * failure and prints one framed JSON result. New operation kinds are added here and in the
 * executor's OPERATIONS table.
 *
 * Values the host fills in, anywhere in a body (never known to the Lambda or Step Functions):
 * - `{"$secret": NAME}`: the SSM SecureString NAME, read on the host with
 *   `aws ssm get-parameter --with-decryption`;
 * - `{"$var": NAME}`: an id bound by an earlier operation (`bind`);
 * - `{"$json": VALUE}`: VALUE (after resolving) as compact JSON text.
 * Path segments are plain strings (URL-encoded by the executor) or `{"$var": NAME}`.
 */
export type PathSegment = string | { $var: string };

export interface SecretRef {
  $secret: string;
}
export interface VarRef {
  $var: string;
}
export interface JsonText {
  $json: unknown;
}

/** Reads one resource. 404 (or another `absent` status) gives `null`, so observing a missing realm is not an error. */
export interface GetOperation {
  op: 'get';
  /** Key of the result in the executor's output. */
  id: string;
  path: PathSegment[];
  query?: Record<string, string>;
  absent?: number[];
  /** The response is an object holding the list under this key (`profiles`, `policies`). */
  list?: string;
  /** Keep only list items whose `field` is one of `in`; the output is then `{items, others}` (others = names only). */
  select?: { field: string; in: string[] };
  /** Keep only these key paths of each object (keeps output compact, and keeps secrets such as a client's `secret` on the host). */
  pick?: string[][];
  /** Bind a variable to `field` of the first item (for later paths); unbound when there is none. */
  bind?: { var: string; field: string };
}

/** One write. `bind` captures the new object's id from the Location header of a 201. */
export interface SendOperation {
  op: 'send';
  /** The change this write belongs to, as the plan prints it: reported when Keycloak rejects it. */
  label: string;
  method: 'POST' | 'PUT' | 'DELETE';
  path: PathSegment[];
  query?: Record<string, string>;
  body?: unknown;
  /** Statuses that mean "already gone" for a DELETE of an object that may not exist any more. */
  absent?: number[];
  bind?: string;
}

/**
 * Read-modify-write of a list of named entries (client profiles, client policies): GET, replace or
 * append the `upsert` entries by `name`, drop the `remove` names, keep every other entry exactly as
 * read, PUT `{[key]: list}`. Done on the host so that no other writer's entry is lost between
 * observe and apply; the built-in (global) entries are never read, so never sent back.
 */
export interface MergeListOperation {
  op: 'merge-list';
  label: string;
  path: PathSegment[];
  key: string;
  upsert: unknown[];
  remove: string[];
}

/**
 * Read-modify-write of one whole resource (a realm, a user, a client): GET it, merge `set` into it (or
 * into its `key` map, e.g. a realm's `attributes`), drop the `drop` keys, PUT the whole resource back.
 * Keycloak's realm update resets what a partial body leaves out (it removes every attribute not sent,
 * and rebuilds the WebAuthn policies from the body), so keygate never PUTs a partial realm, user or client.
 */
export interface MergeObjectOperation {
  op: 'merge-object';
  label: string;
  path: PathSegment[];
  key?: string;
  set: Record<string, unknown>;
  drop?: string[];
}

/**
 * Reads a file on the host: `{exists: false}`, or `{exists: true, sha256, bytes, mode}` plus `content`
 * (UTF-8 text) when the file is a CIMD document for `clientId` (a JSON object with that client_id),
 * its hash differs from `expectSha256` and the content is small enough to print (12,000 escaped
 * characters). Any other file is `foreign: true`, with its hash, size and mode only: nothing of it leaves
 * the host. `{exists: true, conflict}` when a directory or a link stands there, or when a directory of the
 * path is a symbolic link (`conflict` then names it and the fix; nothing behind it is read). The path must
 * lie inside the publish directory the Command document gives the executor (else a `file` error).
 */
export interface StatFileOperation {
  op: 'stat-file';
  id: string;
  /** Absolute, normalized path. */
  path: string;
  expectSha256?: string;
  /** The client_id that makes the file keygate's document (the CIMD URL); without it every file is foreign. */
  clientId?: string;
}

/**
 * Writes a CIMD document atomically: a temporary file in the same directory, fsync, `mode`, rename over
 * `path`. The bytes that were there (when they differ) are first kept at `previous`, mode 0600, as one
 * rollback copy. Both paths must lie inside the publish directory the Command document gives the
 * executor; missing directories below it are created 0755 (it itself never is). No link is followed:
 * every directory of the path is opened relative to the one before it with O_NOFOLLOW (a link there
 * stops with `link` naming it). A directory or link at `path` or `previous`, or a file there that is not
 * a CIMD document with the content's client_id (a foreign file), is refused before anything is written,
 * and never copied. The content travels in the program: it is public, never a secret.
 */
export interface WriteFileOperation {
  op: 'write-file';
  label: string;
  path: string;
  /** UTF-8 text, written as is. */
  content: string;
  /** SHA-256 of the content's UTF-8 bytes: the executor refuses content that does not hash to it. */
  sha256: string;
  /** Octal file mode, e.g. `0644`. */
  mode: string;
  previous?: string;
}

export type HostOperation = GetOperation | SendOperation | MergeListOperation | MergeObjectOperation | StatFileOperation | WriteFileOperation;

export interface HostProgram {
  version: 1;
  /**
   * What the executor does first with keygate's own leftovers older than its stale age (660 s: work
   * directories `keygate-host.*` of killed commands in the host's temporary directory, temporary files
   * of interrupted writes beside the files this program names): `remove` them (the default), or only
   * `report` them (a drift report, which changes nothing). Either way they are in the result's `leftovers`.
   */
  leftovers?: 'remove' | 'report';
  /** How the executor reaches Keycloak: the admin REST API on the host's loopback (only programs that call it need this). */
  admin?: { url: string; realm: string; username: string; passwordParameter: string };
  /** Region for `aws ssm get-parameter` on the host (the host may have no default region). */
  region: string;
  ops: HostOperation[];
}

/** A leftover of an earlier command on the host, found (and removed, unless the program said `report`). Never its content. */
export interface HostLeftover {
  path: string;
  kind: 'work directory' | 'temporary file';
  ageSeconds: number;
  bytes?: number;
  removed: boolean;
}

/** What the executor prints (after the framing line): success with the `get` results, or where it stopped. */
export type HostResult =
  | { ok: true; done: number; results: Record<string, unknown>; leftovers?: HostLeftover[] }
  | {
      ok: false;
      done: number;
      /** How many of the program's writes (every operation but get and stat-file) completed, and how many it has. */
      applied?: number;
      writes?: number;
      error: HostError;
      leftovers?: HostLeftover[];
    };

export interface HostError {
  kind: 'rejected' | 'unreachable' | 'login' | 'secret' | 'program' | 'file';
  message: string;
  /** `file`: the path the operation was about, and the OS error number. */
  path?: string;
  errno?: number;
  /** `file`: the directory of `path` that is a symbolic link (never followed). */
  link?: string;
  index?: number;
  /** The write the program stopped at (its change, as the plan prints it). */
  label?: string;
  /** `unreachable` on a write: `maybe` when it was sent and its answer never came (it may have landed). */
  landed?: 'maybe';
  status?: number;
  body?: string;
}

/** Exit codes of the executor, by error kind (anything else is a crash of the executor itself). */
export const HOST_EXIT = { ok: 0, program: 2, rejected: 3, unreachable: 4, credentials: 5, file: 6 } as const;
