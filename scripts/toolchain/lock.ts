import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const POLL_MS = 200;

/**
 * Takes a lock directory (mkdir is atomic), waiting while another process holds it, and returns its
 * release. A lock whose holder is no longer running (a killed install or build) is taken over.
 */
export function acquireLock(dir: string): () => void {
  for (;;) {
    try {
      mkdirSync(dir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!holderAlive(dir)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
    }
  }
  writeFileSync(join(dir, 'pid'), String(process.pid));
  return () => rmSync(dir, { recursive: true, force: true });
}

/** Runs `work` holding the lock directory `dir`: one process at a time, the others wait. */
export function withLock<T>(dir: string, work: () => T): T {
  const release = acquireLock(dir);
  try {
    return work();
  } finally {
    release();
  }
}

function holderAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    // Just created and its pid not written yet, unless that was long ago (the holder died in between).
    try {
      return Date.now() - statSync(dir).mtimeMs < 30_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
