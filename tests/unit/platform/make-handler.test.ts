import { invoke } from '../../support/lambda';

// Every entry point's error-logging policy (functions/platform/make-handler.ts): a failure is logged
// once, with its name, code and (redacted) message, and re-thrown unchanged for Step Functions.

async function logsOf(run: (makeHandler: typeof import('../../../functions/platform/make-handler').makeHandler, errors: typeof import('../../../functions/core/errors')) => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  let logged = '';
  await jest.isolateModulesAsync(async () => {
    // A fresh logger at WARN (it reads the level once, at construction).
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    const { makeHandler } = await import('../../../functions/platform/make-handler');
    const errors = await import('../../../functions/core/errors');
    const capture = (chunk: string | Uint8Array) => ((logged += String(chunk)), true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      await run(makeHandler, errors);
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    }
  });
  return logged.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('makeHandler', () => {
  it('logs a keygate error as one warning with its name, code and message, and re-throws it unchanged', async () => {
    let thrown: unknown;
    const lines = await logsOf(async (makeHandler, errors) => {
      const handler = makeHandler('ensure-gateway', async () => {
        throw new errors.GatewayNotReadyError('gw-0123456789', 'CREATING');
      });
      thrown = await invoke(handler, { correlationId: 'arn:aws:states:x:execution:m:e1' }).catch((e: unknown) => e);
    });
    expect(thrown).toMatchObject({ name: 'GatewayNotReadyError' });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'step failed', step: 'ensure-gateway', errorName: 'GatewayNotReadyError', code: 'ERR_GATEWAY_NOT_READY', errorMessage: (thrown as Error).message }),
    ]);
  });

  it('logs anything else as an error, its message redacted of tokens', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrZXlnYXRlIn0.c2lnbmF0dXJlLXZhbHVl';
    const lines = await logsOf(async (makeHandler) => {
      const handler = makeHandler('verify-chain', async () => {
        throw new Error(`unexpected response carrying ${token}`);
      });
      await invoke(handler, {}).catch(() => undefined);
    });
    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', message: 'step failed unexpectedly', errorName: 'Error', errorMessage: expect.stringContaining('unexpected response carrying') })]);
    expect(JSON.stringify(lines)).not.toContain(token);
  });
});
