/**
 * Runs `fn` with the functions' output captured: Powertools writes log lines and EMF metrics to
 * stdout/stderr as one JSON object per line, as Lambda would ship them to CloudWatch. Those lines go
 * to `lines`; anything else (a person's output) passes through. Overlapping runs share one capture.
 * Used by the drift tests and `keygate rehearse` (whose screen must not drown in log lines).
 *
 * @example
 * const lines: Array<Record<string, any>> = [];
 * await captureFunctionOutput(lines, () => world.run('drift'));
 */
export async function captureFunctionOutput<T>(lines: Array<Record<string, any>>, fn: () => Promise<T>): Promise<T> {
  sink = lines;
  if (active++ === 0) {
    streams.forEach((stream, i) => {
      stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
        const parsed = suspended ? undefined : tryParse(String(chunk));
        if (!parsed) return originals[i]!.call(stream, chunk, ...rest);
        sink.push(parsed);
        return true;
      }) as typeof stream.write;
    });
  }
  try {
    return await fn();
  } finally {
    if (--active === 0) streams.forEach((stream, i) => void (stream.write = originals[i]!));
  }
}

/**
 * Runs `fn`, whose output is a person's even if it is one JSON object (`keygate world --json` prints
 * its object while the world, and so the capture, runs).
 */
export function uncaptured<T>(fn: () => T): T {
  suspended = true;
  try {
    return fn();
  } finally {
    suspended = false;
  }
}

let suspended = false;
let active = 0;
let sink: Array<Record<string, any>> = [];
const streams = [process.stdout, process.stderr] as const;
const originals = streams.map((s) => s.write);

function tryParse(text: string): Record<string, any> | undefined {
  if (!text.trim().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    return undefined;
  }
}
