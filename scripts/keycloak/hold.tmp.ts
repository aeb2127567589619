import { writeFileSync } from 'node:fs';
import { startKeycloakServer } from './server';
(async () => {
  const kc = await startKeycloakServer({ build: (process.env.KG_BUILD as any) ?? 'cimd', progress: (m) => console.error(m) });
  writeFileSync(process.env.KG_CONN ?? '/tmp/kcexp/conn.json', JSON.stringify({ url: kc.url, admin: kc.admin, runDir: kc.runDir }), { mode: 0o600 });
  console.error('ready', kc.url, kc.timings);
  process.on('SIGTERM', () => void kc.stop().then(() => process.exit(0)));
  setInterval(() => undefined, 1 << 30);
})();
