import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * A per-emulator in-memory storage adapter for oidc-provider. The built-in one keeps one store for
 * the whole process (two emulators would share grants) and warns on every start.
 */
export function memoryAdapterFactory(): new (name: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt?: number }>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry?.payload;
  };
  return class MemoryAdapter implements Adapter {
    constructor(private readonly name: string) {}

    private key(id: string) {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      store.set(this.key(id), { payload, ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}) });
    }

    async find(id: string) {
      return live(this.key(id));
    }

    async findByUserCode(userCode: string) {
      return [...store.keys()].filter((k) => k.startsWith(`${this.name}:`)).map(live).find((p) => p?.userCode === userCode);
    }

    async findByUid(uid: string) {
      return [...store.keys()].filter((k) => k.startsWith(`${this.name}:`)).map(live).find((p) => p?.uid === uid);
    }

    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string) {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    }
  };
}
