/** Helpers for the source tests only: certificates made with openssl at test time, waiting for a condition. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** a client certificate signed by another CA, which the listener must refuse */
  strangerCert: string;
  strangerKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** True when an openssl binary can be run here. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway CA, a server certificate for 127.0.0.1 and client certificates, valid for a day (P-256 keys). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = (prefix: string): void => openssl(['req', '-x509', ...ec, '-keyout', `${prefix}.key`, '-out', `${prefix}.crt`, '-subj', `/CN=${prefix}`, '-days', '1'], dir);
  const leaf = (prefix: string, caPrefix: string, ext: string): void => {
    writeFileSync(join(dir, `${prefix}.ext`), ext);
    openssl(['req', ...ec, '-keyout', `${prefix}.key`, '-out', `${prefix}.csr`, '-subj', `/CN=${prefix}`], dir);
    openssl(
      ['x509', '-req', '-in', `${prefix}.csr`, '-CA', `${caPrefix}.crt`, '-CAkey', `${caPrefix}.key`, '-CAcreateserial', '-out', `${prefix}.crt`, '-days', '1', '-extfile', `${prefix}.ext`],
      dir,
    );
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    caCert: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    strangerCert: read('stranger.crt'),
    strangerKey: read('stranger.key'),
  };
}

/** Resolves once `check()` is true; rejects after `ms` (a failed test, not a timing assertion). */
export async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
