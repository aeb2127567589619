/** C0 control characters but tab and newline, DEL, C1, the line/paragraph separators, and the bidirectional and zero-width format characters. */
const UNSAFE = '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2028\\u2029\\u2060-\\u2069\\ufeff]';
const UNSAFE_CHARS = new RegExp(UNSAFE, 'g');

/**
 * Text made safe to print on a terminal: control characters (but tab and newline), DEL and the Unicode
 * bidirectional and invisible format characters become `\u` escapes, so that a value from a document
 * or a server cannot move the cursor, recolour the screen or reorder what a reader sees
 * (https://trojansource.codes/, CVE-2021-42574).
 *
 * @example
 * escapeForDisplay('a\u001b[2Jb\u202e') // 'a\\u001b[2Jb\\u202e'
 */
export function escapeForDisplay(text: string): string {
  return text.replace(UNSAFE_CHARS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether `text` holds a character {@link escapeForDisplay} would escape. */
export const hasUnsafeChars = (text: string): boolean => new RegExp(UNSAFE).test(text);

/**
 * A URL as a message may show it: any `user:password@` replaced by `***@`, and escaped.
 *
 * @example
 * shownUrl('http://u:pw@auth.example.com/x') // '"http://***@auth.example.com/x"'
 */
export function shownUrl(url: string): string {
  return JSON.stringify(escapeForDisplay(url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1***@')));
}

/**
 * `value` with every string in it (keys too) passed through {@link escapeForDisplay}: a report or a
 * plan made safe to render as text, whatever its values came from.
 */
export function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeForDisplay(value) as T;
  if (Array.isArray(value)) return value.map(escapeStrings) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeForDisplay(k), escapeStrings(v)])) as T;
  return value;
}

/** The SGR sequences the CLI's own colours use (cli/format.ts): the only escape sequences a terminal gets from keygate. */
const OWN_SGR = '\\u001b\\[(?:0|1|2|31|32|33)m';
const TERMINAL_UNSAFE = new RegExp(`${OWN_SGR}|${UNSAFE}`, 'g');

/**
 * Text for a terminal: every unsafe character escaped (see {@link escapeForDisplay}) except, when
 * `colour` is on, keygate's own colour codes.
 */
export function forTerminal(text: string, colour: boolean): string {
  return text.replace(TERMINAL_UNSAFE, (m) => (m.length > 1 && colour ? m : escapeForDisplay(m)));
}
