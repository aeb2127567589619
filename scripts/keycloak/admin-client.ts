/**
 * A minimal client of Keycloak's admin REST API for tests and `keygate rehearse --keycloak real`
 * (keygate itself talks to Keycloak only through the host executor): raw status, body and Location,
 * an admin token from the master realm's admin-cli, renewed before the master realm's 60 s lifetime.
 */
export interface AdminResponse {
  status: number;
  /** Parsed JSON, the text when it is not JSON, undefined when empty. */
  body: any;
  location?: string;
}

export interface AdminClient {
  url: string;
  /** An admin access token (cached; a new one after 50 s: master realm tokens live 60 s). */
  token(): Promise<string>;
  /** One admin REST call (path from the server root, e.g. `/admin/realms/r/clients?clientId=x`). */
  call(method: string, path: string, body?: unknown): Promise<AdminResponse>;
  /** Like `call`, but throws unless the status is 2xx. */
  ok(method: string, path: string, body?: unknown): Promise<any>;
}

/**
 * An admin access token from the master realm (admin-cli, password grant), as the host executor gets one.
 *
 * @example
 * const token = await adminToken(kc.url, kc.admin.username, kc.admin.password);
 */
export async function adminToken(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username, password }),
  });
  if (response.status !== 200) throw new Error(`admin login as ${username} failed: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * @example
 * const admin = adminClient(kc.url, kc.admin);
 * const [client] = await admin.ok('GET', `/admin/realms/${realm}/clients?clientId=keygate-canary`);
 */
export function adminClient(url: string, admin: { username: string; password: string }): AdminClient {
  let token: { value: string; at: number } | undefined;
  const getToken = async () => {
    if (!token || Date.now() - token.at > 50_000) token = { value: await adminToken(url, admin.username, admin.password), at: Date.now() };
    return token.value;
  };
  const call = async (method: string, path: string, body?: unknown): Promise<AdminResponse> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await getToken()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text === '' ? undefined : text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    const location = response.headers.get('location');
    return { status: response.status, body: parsed, ...(location ? { location } : {}) };
  };
  return {
    url,
    token: getToken,
    call,
    ok: async (method, path, body) => {
      const response = await call(method, path, body);
      if (response.status >= 300) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
  };
}
