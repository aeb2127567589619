/** C0 control characters but tab and newline, DEL, C1, and the bidirectional and zero-width format characters. */
const UNSAFE = '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff]';
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
