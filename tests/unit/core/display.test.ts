import { escapeForDisplay, hasUnsafeChars } from '../../../functions/core/display';

describe('escapeForDisplay', () => {
  it.each([
    ['an ANSI escape (clear screen)', 'a\u001b[2Jb', 'a\\u001b[2Jb'],
    ['a carriage return (overwrite the line)', 'ok\rFAIL', 'ok\\u000dFAIL'],
    ['a bidirectional override (Trojan Source)', 'admin\u202e nimda', 'admin\\u202e nimda'],
    ['a right-to-left isolate and its end', '\u2067x\u2069', '\\u2067x\\u2069'],
    ['a zero-width space and a byte-order mark', 'mcp\u200b:tools\ufeff', 'mcp\\u200b:tools\\ufeff'],
    ['DEL and a C1 control', 'a\u007fb\u009bc', 'a\\u007fb\\u009bc'],
    ['a NUL', 'a\u0000b', 'a\\u0000b'],
  ])('escapes %s', (_, text, escaped) => {
    expect(escapeForDisplay(text)).toBe(escaped);
    expect(hasUnsafeChars(text)).toBe(true);
    expect(hasUnsafeChars(escapeForDisplay(text))).toBe(false);
  });

  it('leaves printable text, tabs, newlines and non-Latin letters alone', () => {
    const text = 'mcp:tools\tRealm «démo»\n日本語 ümlaut';
    expect(escapeForDisplay(text)).toBe(text);
    expect(hasUnsafeChars(text)).toBe(false);
  });
});
