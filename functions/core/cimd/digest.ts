import { createHash } from 'node:crypto';

/**
 * The SHA-256 (hex) of a document's UTF-8 bytes: what a destination reports and the host executor
 * compares. Its own module, so that the functions that only send or read host programs do not bundle
 * the planner and its lint rules (plan-cimd.ts).
 *
 * @example
 * sha256('') // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
