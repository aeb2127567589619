import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { KeygateError } from '../core/errors';
import { explainTransientAwsError } from './aws-transient';
import { logger } from './logger';
import { redact } from './redact';

/** Fields every state machine Task passes along (`"correlationId.$": "$$.Execution.Id"`). */
export interface TaskInput {
  correlationId?: string;
}

export interface HandlerContext {
  logger: typeof logger;
  /** Aborted shortly before the Lambda timeout; pass it to SDK calls as `abortSignal`. */
  signal: AbortSignal;
}

/**
 * The middy stack every entry point uses: Powertools context injection with key reset (no key leaks
 * across warm invocations), the execution id as correlation id, and one error-logging policy:
 * errors keygate throws on purpose are logged as warnings with their code, anything else as an error;
 * both are re-thrown unchanged so that Step Functions matches `error.name`.
 */
export function makeHandler<I extends TaskInput, O>(name: string, fn: (input: I, ctx: HandlerContext) => Promise<O>) {
  const base = async (event: I, _context: Context, opts?: { signal?: AbortSignal }): Promise<O> => {
    if (event?.correlationId) logger.setCorrelationId(event.correlationId);
    logger.appendKeys({ step: name });
    try {
      return await fn(event, { logger, signal: opts?.signal ?? new AbortController().signal });
    } catch (error) {
      const e = error as Error & { code?: string };
      // A transient AWS error keeps its name (Retry matches it) and gets a message that names the call, the resource and the fix.
      if (explainTransientAwsError(error, name, event)) logger.warn('step failed on a transient AWS error', { errorName: e.name, errorMessage: redact(e.message) });
      else if (error instanceof KeygateError || error instanceof TypeError) logger.warn('step failed', { errorName: e.name, code: e.code, errorMessage: redact(e.message) });
      else logger.error('step failed unexpectedly', { errorName: e.name, errorMessage: redact(e.message) });
      throw error;
    }
  };
  return middy(base, { timeoutEarlyInMillis: 1000 }).use(injectLambdaContext(logger, { clearState: true }));
}
