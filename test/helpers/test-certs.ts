/**
 * Test certificates made at test time with the `openssl` binary: a CA, server certificates for
 * 127.0.0.1 / localhost signed by it, a client certificate it signed (mTLS), and a client
 * certificate from another CA. EC P-256 keys, valid for 2 days. `makeTestCerts()` returns
 * undefined when openssl is absent (tests then skip, saying so).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from './test-server';

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface TestCerts {
  readonly dir: string;
  /** CA bundle that signed `server`, `server2` and `client`. */
  readonly ca: string;
  readonly server: CertPair;
  /** A second server certificate (CN server-2), to test reloads. */
  readonly server2: CertPair;
  readonly client: CertPair;
  /** Signed by a CA the server does not trust. */
  readonly strangerClient: CertPair;
}

const OPENSSL = '/usr/bin/openssl';

export function opensslMissing(): string | false {
  const found = [OPENSSL, 'openssl'].some((bin) => {
    try {
      execFileSync(bin, ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  return found ? false : 'the openssl binary is not installed: cannot generate test certificates';
}

export function makeTestCerts(): TestCerts {
  const dir = makeTempDir('certs');
  const bin = fs.existsSync(OPENSSL) ? OPENSSL : 'openssl';
  const run = (...args: string[]) => execFileSync(bin, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const file = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string) => run('req', '-x509', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const sign = (name: string, ca: string, cn: string, extensions: string): CertPair => {
    fs.writeFileSync(file(`${name}.ext`), extensions);
    run('req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    run('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2', '-extfile', file(`${name}.ext`));
    return { cert: file(`${name}.crt`), key: file(`${name}.key`) };
  };
  makeCa('ca');
  makeCa('stranger-ca');
  const serverExt = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
  return {
    dir,
    ca: file('ca.crt'),
    server: sign('server', 'ca', 'server-1', serverExt),
    server2: sign('server2', 'ca', 'server-2', serverExt),
    client: sign('client', 'ca', 'client-1', 'extendedKeyUsage=clientAuth\n'),
    strangerClient: sign('stranger', 'stranger-ca', 'stranger', 'extendedKeyUsage=clientAuth\n'),
  };
}
