/**
 * A set of accepted bearer tokens, checked in constant time.
 *
 * Contract:
 * - `parseTokenFile(text, source)` returns the tokens of a token file: one per line, blank lines
 *   and `#` comments skipped, surrounding white space trimmed (several lines let a new token be
 *   rolled out before the old one is removed). It throws an Error naming `source` when there is
 *   none, or a token is shorter than `MIN_TOKEN_CHARS` or has characters outside visible ASCII.
 * - `TokenSet.matches(presented)` hashes the presented token to a SHA-256 digest and compares it
 *   with every accepted token's digest by `crypto.timingSafeEqual` (fixed 32-byte inputs, no early
 *   exit), so neither the token's length nor how much of it matched shows in the timing.
 * - The tokens themselves are not kept, only their digests.
 */
import * as crypto from 'node:crypto';

/** Short tokens can be guessed; `openssl rand -hex 32` gives 64 characters. */
const MIN_TOKEN_CHARS = 16;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export function parseTokenFile(text: string, source: string): string[] {
  const tokens: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    checkToken(line, `${source} line ${index + 1}`);
    tokens.push(line);
  });
  if (tokens.length === 0) throw new Error(`${source} holds no token (one per line; blank lines and # comments are skipped)`);
  return tokens;
}

export function checkToken(token: string, source: string): void {
  if (!VISIBLE_ASCII.test(token)) throw new Error(`the token in ${source} has characters outside visible ASCII (spaces, control or non-ASCII characters cannot travel in an Authorization header)`);
  if (token.length < MIN_TOKEN_CHARS) throw new Error(`the token in ${source} has ${token.length} characters; at least ${MIN_TOKEN_CHARS} are needed (e.g. openssl rand -hex 32)`);
}

export class TokenSet {
  private readonly digests: readonly Buffer[];

  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new Error('a TokenSet needs at least one token');
    this.digests = tokens.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  matches(presented: string): boolean {
    const candidate = digest(presented);
    let matched = false;
    for (const accepted of this.digests) {
      // No short circuit: every accepted digest is compared.
      matched = crypto.timingSafeEqual(candidate, accepted) || matched;
    }
    return matched;
  }
}

function digest(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest();
}
