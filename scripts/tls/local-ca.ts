import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * A certificate authority made for one run, and server certificates it signs: on loopback, the TLS
 * of the seed's load balancer (its public ACM wildcard certificate). Keycloak trusts it through
 * `truststore-paths`, Chromium through `--ignore-certificate-errors-spki-list` (the leaf's key), Node
 * through the CA given to its fetch; nothing is written to a system trust store.
 *
 * Keys are made by node:crypto (RSA 2048, milliseconds); node-forge only assembles and signs the
 * certificates.
 *
 * @example
 * const ca = createLocalCa('keygate rehearsal');
 * const leaf = ca.issue(['auth.example.com', 'cimd.example.com']);
 * https.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem }, …);
 */
export interface LocalCa {
  /** The CA certificate (PEM): what a truststore holds. */
  certPem: string;
  /** Its private key (PEM, PKCS#8): only for a process that issues certificates too (kept in 0600 files). */
  keyPem: string;
  /** Issues a server certificate for these DNS names (and 127.0.0.1). */
  issue(names: string[]): ServerCertificate;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  /** base64 SHA-256 of the certificate's SubjectPublicKeyInfo: Chromium's --ignore-certificate-errors-spki-list value. */
  spkiSha256: string;
  names: string[];
}

const DAY = 24 * 60 * 60 * 1000;

export function createLocalCa(commonName: string, now = new Date()): LocalCa {
  const caKeys = rsaKeys();
  const ca = forge.pki.createCertificate();
  ca.serialNumber = serial();
  ca.publicKey = caKeys.publicKey;
  setValidity(ca, now);
  const subject = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'keygate (local, for one run)' }];
  ca.setSubject(subject);
  ca.setIssuer(subject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  return loadLocalCa(forge.pki.certificateToPem(ca), caKeys.privatePem, now);
}

/** The CA of {@link createLocalCa} again, from its PEM files (another process of the same run). */
export function loadLocalCa(certPem: string, keyPem: string, now = new Date()): LocalCa {
  const ca = forge.pki.certificateFromPem(certPem);
  const caKeys = { privateKey: forge.pki.privateKeyFromPem(keyPem) };
  return {
    certPem,
    keyPem,
    issue: (names) => {
      const keys = rsaKeys();
      const cert = forge.pki.createCertificate();
      cert.serialNumber = serial();
      cert.publicKey = keys.publicKey;
      setValidity(cert, now);
      cert.setSubject([{ name: 'commonName', value: names[0] }]);
      cert.setIssuer(ca.subject.attributes);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [...names.map((value) => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }] },
        { name: 'subjectKeyIdentifier' },
        { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
      ]);
      cert.sign(caKeys.privateKey, forge.md.sha256.create());
      const spki = createPublicKey(keys.publicPem).export({ type: 'spki', format: 'der' });
      return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem, spkiSha256: createHash('sha256').update(spki).digest('base64'), names };
    },
  };
}

function rsaKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey), publicPem: publicKey, privatePem: privateKey };
}

/** Valid from a day ago (clock skew) for a week: long enough for any run, too short to matter if copied. */
function setValidity(cert: forge.pki.Certificate, now: Date): void {
  cert.validity.notBefore = new Date(now.getTime() - DAY);
  cert.validity.notAfter = new Date(now.getTime() + 7 * DAY);
}

/** A positive serial number of 16 random bytes (RFC 5280 §4.1.2.2), hex. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
