// `npm run keycloak`: starts the tests' real Keycloak (scripts/keycloak/server.ts) and keeps it until
// Ctrl-C, for working on real-Keycloak tests without a server start per jest run: with
// KEYGATE_KEYCLOAK_CONNECTION set to the file this prints, jest's global setup uses this server
// instead of starting one (and leaves it running). The admin password is in that file (mode 0600),
// never printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareKeycloakTrust } from '../tls/keycloak-trust';
import { startKeycloakServer } from './server';

void (async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-kc-connection-'));
  const trust = prepareKeycloakTrust(dir);
  const server = await startKeycloakServer({ build: process.argv.includes('--no-cimd') ? 'no-cimd' : 'cimd', progress: (m) => process.stderr.write(`${m}\n`), ...trust.serverOptions });
  const file = join(dir, 'connection.json');
  writeFileSync(file, JSON.stringify({ version: server.version, url: server.url, managementUrl: server.managementUrl, admin: server.admin, tls: { caCertFile: trust.caCertFile, caKeyFile: trust.caKeyFile } }), { mode: 0o600 });
  process.stdout.write(`Keycloak ${server.version} (${server.build}) at ${server.url}, ready in ${(server.timings.startMs / 1000).toFixed(1)} s; admin ${server.admin.username}, password in ${file}\n`);
  process.stdout.write(`export KEYGATE_KEYCLOAK_CONNECTION=${file}\n`);
  const stop = () => void server.stop().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  setInterval(() => undefined, 1 << 30);
})().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
