// loadChain drops oidc-provider's one warning about Node 20 (keygate supports it): also on a terminal,
// where oidc-provider colours the line (it printed, in red, in the middle of the rehearsal's live view).

describe('loadChain', () => {
  it.each([[false], [true]])('drops the "Unsupported runtime" warning when stderr is a terminal: %s', async (tty) => {
    // Prepare: a fresh oidc-provider, which reads stderr.isTTY when it loads.
    const before = process.stderr.isTTY;
    Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true });
    const warned: unknown[][] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warned.push(args));
    try {
      // Act
      await jest.isolateModulesAsync(async () => {
        const { loadChain } = await import('../../../emulators/world');
        await loadChain();
      });
    } finally {
      warn.mockRestore();
      Object.defineProperty(process.stderr, 'isTTY', { value: before, configurable: true });
    }
    // Assess
    expect(warned.map((a) => String(a[0]))).toEqual([]);
  });
});
