import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../cli/login/browser';
import { startEdge, type Edge } from '../../emulators/edge';
import { loadLocalCa } from '../../scripts/tls/local-ca';
import { realKeycloak, type RealKeycloak } from './real-keycloak';
import { startRealRealmHarness, type RealRealmHarness } from './realm-harness';

/** The run's real Keycloak, one realm of it provisioned by keygate, the local edge serving it, and one Chromium. */
export interface LoginRig {
  kc: RealKeycloak;
  h: RealRealmHarness;
  edge: Edge;
  browser: Browser;
  /** Closes the browser, the edge and the harness, and deletes the realm. */
  close(): Promise<void>;
}

/**
 * For the login tests on the real Keycloak: the seed's realm (named after `label`, `edit` applied after the
 * document is pointed at the edge) provisioned through the reconcile-realm machine (SSM and the host executor, as
 * deployed), its CIMD document served by the edge's HTTPS host (the run's local CA, which Keycloak trusts), and
 * headless Chromium resolving the edge's names to loopback. Each login opens its own browser context.
 *
 * @example
 * const rig = await startLoginRig('login');
 * await runLogin({ gatewayUrl: rig.edge.gatewayUrl, clientMetadataUrl: rig.h.desired.cimd!.url, browser: rig.browser, ... });
 * await rig.close();
 */
export async function startLoginRig(label: string, edit: (raw: Record<string, any>) => void = () => {}): Promise<LoginRig> {
  const kc = await realKeycloak();
  const ca = loadLocalCa(readFileSync(kc.tls!.caCertFile, 'utf8'), readFileSync(kc.tls!.caKeyFile, 'utf8'));
  const edge = await startEdge({ ca, keycloakUrl: kc.url });
  const realm = kc.realmName(label);
  let h: RealRealmHarness | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await edge.close();
    await h?.close();
    if (h) await kc.deleteRealm(h.realm);
  };
  try {
    h = await startRealRealmHarness(kc, label, {
      realm,
      edit: (raw) => {
        edge.pointDocument(raw, realm);
        edit(raw);
      },
    });
    const { runMachine } = await import('./local-machine');
    const run = await runMachine('reconcile-realm.asl.json', { desiredState: h.desired }, { pendingIntervalMs: 1000 });
    if (run.error) throw new Error(`provisioning ${realm}: ${run.error.name}: ${run.error.cause}`);
    await edge.serve(h.desired);
    browser = (await launchChromium(edge.browser)).browser;
    return { kc, h, edge, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
