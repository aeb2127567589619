import { escapeForDisplay } from '../display';

/**
 * What the login flow's browser saw on one page, as plain data (the driver reads it from the DOM; the
 * classification below is pure, so Keycloak's pages are recognised by one table that tests hold to
 * pages captured from the real server).
 */
export interface PageSnapshot {
  /** Origin and path only: a query may hold a code or state. */
  url: string;
  title: string;
  /** Element ids present among the ones the table looks for. */
  ids: string[];
  /** Names of the inputs and buttons in the page's forms. */
  fields: string[];
  headings: string[];
  /** Texts of error and alert elements (Keycloak's `#kc-error-message`, `#input-error…`, alerts). */
  messages: string[];
  /** The start of the visible text, whitespace collapsed. */
  text: string;
}

/** The element ids a Keycloak page is recognised by (keycloak.v2 login theme, Keycloak 26). */
export const KEYCLOAK_PAGE_IDS = ['kc-form-login', 'username', 'password', 'kc-login', 'kc-cancel', 'kc-error-message', 'kc-page-title', 'kc-oauth', 'kc-passwd-update-form', 'kc-update-profile-form', 'input-error', 'input-error-username', 'input-error-password'] as const;

export type PageKind =
  /** The username/password form (#kc-form-login with #username, #password and the #kc-login button). */
  | 'login'
  /** The same form again, with an error (wrong credentials). */
  | 'login-error'
  /** "Do you grant these access privileges?" (login-oauth-grant): Yes / No. */
  | 'consent'
  /** Keycloak's error page ("We are sorry…"). */
  | 'error'
  /** A required action (update password, update profile, verify email…). */
  | 'required-action'
  | 'unknown';

export interface PageClass {
  kind: PageKind;
  /** Keycloak's message on an error page or login error, escaped. */
  message?: string;
}

/**
 * Recognises a Keycloak page from its snapshot.
 *
 * @example
 * classifyPage({ ids: ['kc-form-login', 'username', 'password', 'kc-login'], messages: [], … }).kind // 'login'
 */
export function classifyPage(page: PageSnapshot): PageClass {
  const has = (id: string) => page.ids.includes(id);
  const message = page.messages.map((m) => m.trim()).filter(Boolean)[0];
  const withMessage = (kind: PageKind): PageClass => ({ kind, ...(message ? { message: escapeForDisplay(message) } : {}) });
  if (has('kc-error-message')) return withMessage('error');
  if (has('kc-passwd-update-form') || has('kc-update-profile-form')) return withMessage('required-action');
  // Every element the flow fills in or clicks: a form lacking one is described at once, never waited on until a timeout.
  if (has('kc-form-login') && has('username') && has('password') && has('kc-login')) return withMessage(message ? 'login-error' : 'login');
  if (page.fields.includes('accept') && (has('kc-login') || has('kc-oauth'))) return withMessage('consent');
  return withMessage('unknown');
}

/**
 * What a page was, for a diagnosis: its title, headings, messages, fields and the start of its text,
 * each escaped, so that "the page was not as expected" says what was there instead.
 *
 * @example
 * describePage(snapshot) // 'https://auth…/realms/r/login-actions/authenticate: title "Sign in to r", heading "Sign in to your account", fields username, password, login'
 */
export function describePage(page: PageSnapshot): string {
  const parts = [`title ${JSON.stringify(escapeForDisplay(page.title))}`];
  if (page.headings.length) parts.push(`heading ${page.headings.slice(0, 2).map((h) => JSON.stringify(escapeForDisplay(h))).join(', ')}`);
  if (page.messages.length) parts.push(`message ${page.messages.slice(0, 2).map((m) => JSON.stringify(escapeForDisplay(m))).join(', ')}`);
  parts.push(page.fields.length ? `fields ${page.fields.slice(0, 10).map((f) => escapeForDisplay(f)).join(', ')}` : 'no form fields');
  if (!page.headings.length && !page.messages.length) parts.push(`text ${JSON.stringify(escapeForDisplay(page.text.slice(0, 160)))}`);
  return `${escapeForDisplay(page.url)}: ${parts.join('; ')}`;
}
