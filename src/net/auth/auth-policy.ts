/**
 * Decides whether a call may run, from its class (call-classes.ts) and the `authorization`
 * value it carried (gRPC metadata or HTTP header). Transport-free: the gRPC and HTTP gates turn
 * the verdict into UNAUTHENTICATED / PERMISSION_DENIED or 401 / 403.
 *
 * Contract:
 * - Without inference tokens, inference calls run without credentials; without admin tokens,
 *   admin calls need an inference token (and run without one when neither is configured).
 * - An inference call is accepted with an inference token or an admin token; an admin call only
 *   with an admin token when admin tokens are configured (an inference token there is
 *   `permission_denied`, any other value `unauthenticated`).
 * - The credential must be `Bearer <token>` (scheme case-insensitive); messages say what was
 *   missing or wrong, never echo the token, and never say how close a wrong token was.
 * - Token sets can be replaced at run time (`setTokens`, after a token file changed).
 * - `baiduStdRefusal()` is the reason to close a baidu_std connection (it cannot carry a token)
 *   when inference calls need one and `allowUnauthenticatedBaiduStd` is false; else undefined.
 */
import type { CallClass } from './call-classes';
import type { TokenSet } from './bearer-tokens';

export type AuthVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly kind: 'unauthenticated' | 'permission_denied'; readonly message: string };

const ALLOWED: AuthVerdict = Object.freeze({ allowed: true });

export interface AuthTokens {
  readonly inference?: TokenSet;
  readonly admin?: TokenSet;
}

export class AuthPolicy {
  private tokens: AuthTokens;

  constructor(tokens: AuthTokens, private readonly allowUnauthenticatedBaiduStd = false) {
    this.tokens = tokens;
  }

  setTokens(tokens: AuthTokens): void {
    this.tokens = tokens;
  }

  check(callClass: CallClass, authorization: string | undefined, what: string): AuthVerdict {
    if (callClass === 'open') return ALLOWED;
    const { inference, admin } = this.tokens;
    const needed = callClass === 'admin' ? admin ?? inference : inference;
    if (needed === undefined) return ALLOWED;
    const token = bearerToken(authorization);
    const role = callClass === 'admin' && admin !== undefined ? 'an admin token' : 'a bearer token';
    if (token === undefined) {
      const problem = authorization === undefined || authorization.trim() === ''
        ? 'no credentials were sent'
        : 'the authorization value is not of the form "Bearer <token>"';
      return { allowed: false, kind: 'unauthenticated', message: `${what} needs ${role}: ${problem}; send "authorization: Bearer <token>"` };
    }
    if (needed.matches(token)) return ALLOWED;
    if (callClass === 'inference' && admin !== undefined && admin.matches(token)) return ALLOWED;
    if (callClass === 'admin' && admin !== undefined && inference?.matches(token) === true) {
      return { allowed: false, kind: 'permission_denied', message: `${what} is a model repository operation: it needs an admin token (--admin_token_file), not an inference token` };
    }
    return { allowed: false, kind: 'unauthenticated', message: `${what} needs ${role}: the bearer token sent was not accepted` };
  }

  baiduStdRefusal(): string | undefined {
    if (this.tokens.inference === undefined || this.allowUnauthenticatedBaiduStd) return undefined;
    return 'baidu_std cannot carry a bearer token and inference calls need one (--auth_token_file); start with --allow_unauthenticated_baidu_std to serve baidu_std without authentication, or use gRPC or HTTP';
  }
}

/** The token of `Bearer <token>`, or undefined when the value has another shape. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return match === null ? undefined : match[1];
}
