// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks (Node 22+ has it);
// without it a rejected Task becomes an unhandled rejection (toolchain-notes §3).
if (typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers !== 'function') {
  (Promise as unknown as { withResolvers: unknown }).withResolvers = <T>() => {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
export {};
