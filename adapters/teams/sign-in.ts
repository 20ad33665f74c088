import { createPublicKey, verify } from 'node:crypto';
import { AuthenticationConstants } from 'botframework-connector';
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor.js';
import type { Logger } from 'pino';
import type { TeamsSignInPolicy } from './limits.ts';

// Bot Framework sign-in, bounded. To check a token, the SDK (botframework-connector's OpenIdMetadata) fetches the
// OpenID metadata and signing keys with no timeout, a fetch per request while it has none, and throws a 500 when
// that fails. With the sign-in service unreachable, every forged token held a turn for about 15 s, then got a 500
// and an error line (issue 17, finding 12). Here the metadata is fetched by our own class, installed in the SDK's
// per-URL cache in place of its own:
// - both requests together within `metadataTimeoutMs`;
// - one fetch at a time, whatever the number of requests waiting for it;
// - after a failure, requests that need keys we do not have get SignInUnavailable (503) at once, and the next
//   fetch is tried after `retryAfterFailureMs`;
// - keys already fetched keep being used while a refresh fails;
// - the outage is logged once when it starts and once when it ends, never per request.
// And a channel token's signature is checked here first (precheck): the SDK answers a forged signature with a
// jsonwebtoken error (which our face used to turn into a 500 and an error line) and prints the public key to
// stderr for every one; a forged token now gets 401 here and never reaches that code.

/** A token refused before the SDK sees it: answered 401. */
export class TokenRefused extends Error {
  readonly statusCode = 401;
  override readonly name = 'AuthenticationError';
}

/** The sign-in metadata could not be fetched: the request is answered 503 (try again shortly), not 401 or 500. */
export class SignInUnavailable extends Error {
  readonly statusCode = 503;
  override readonly name = 'SignInUnavailable';
}

interface Jwk {
  kid?: string;
  kty?: string;
  n?: string;
  e?: string;
  endorsements?: string[];
}

/** What the SDK's JwtTokenExtractor asks of its metadata: a key by id, as PEM, with its endorsements. */
class BoundedOpenIdMetadata {
  private keys: Jwk[] | undefined;
  private fetchedAt = 0;
  private failedAt = 0;
  private fetching: Promise<void> | undefined;
  private down = false;

  constructor(
    private readonly url: string,
    private readonly policy: TeamsSignInPolicy,
    private readonly log: Logger,
  ) {}

  async getKey(keyId: string): Promise<{ key: string; endorsements?: string[] } | null> {
    const now = Date.now();
    if (!this.keys || now - this.fetchedAt > this.policy.refreshMs) await this.refresh(!this.keys);
    else if (!this.find(keyId) && now - this.fetchedAt > this.policy.unknownKeyRefreshMs) await this.refresh(false);
    return this.find(keyId);
  }

  /** Fetches once for every caller; `needed`: without keys the caller cannot go on, so a failure throws. */
  private async refresh(needed: boolean): Promise<void> {
    if (!this.fetching && Date.now() - this.failedAt >= this.policy.retryAfterFailureMs) {
      this.fetching = this.fetch().finally(() => {
        this.fetching = undefined;
      });
    }
    if (this.fetching) {
      try {
        await this.fetching;
        return;
      } catch {
        // Reported once by fetch(); below, the caller gets the keys we have, or 503.
      }
    }
    if (needed && !this.keys) throw new SignInUnavailable('Bot Framework sign-in metadata is unreachable');
  }

  private async fetch(): Promise<void> {
    const signal = AbortSignal.timeout(this.policy.metadataTimeoutMs);
    try {
      const meta = await fetch(this.url, { signal });
      if (!meta.ok) throw new Error(`metadata answered ${meta.status}`);
      const { jwks_uri: jwksUri } = (await meta.json()) as { jwks_uri?: unknown };
      if (typeof jwksUri !== 'string') throw new Error('metadata has no jwks_uri');
      const keys = await fetch(jwksUri, { signal });
      if (!keys.ok) throw new Error(`signing keys answered ${keys.status}`);
      const body = (await keys.json()) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('signing keys are not a list');
      this.keys = body.keys as Jwk[];
      this.fetchedAt = Date.now();
      if (this.down) this.log.info({ url: this.url }, 'Bot Framework sign-in metadata reachable again: Teams tokens are checked');
      this.down = false;
    } catch (err) {
      this.failedAt = Date.now();
      if (!this.down) {
        const reason = signal.aborted ? `no answer within ${this.policy.metadataTimeoutMs} ms` : (err as Error).message;
        this.log.warn(
          { url: this.url, reason, retryAfterMs: this.policy.retryAfterFailureMs },
          `Bot Framework sign-in metadata unreachable: Teams requests whose token needs it get 503 until it answers${this.keys ? ' (the keys fetched before are still used)' : ''}`,
        );
      }
      this.down = true;
      throw err;
    }
  }

  private find(keyId: string): { key: string; endorsements?: string[] } | null {
    const jwk = this.keys?.find((k) => k.kid === keyId);
    if (!jwk?.n || !jwk.e) return null;
    try {
      const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
      return { key, ...(jwk.endorsements ? { endorsements: jwk.endorsements } : {}) };
    } catch {
      return null;
    }
  }
}

const HASHES: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface SignIn {
  /**
   * Before the SDK: a token from the Bot Framework channel service must be signed by one of its keys (RS256/384/512).
   * Throws TokenRefused (401) when it is not, SignInUnavailable (503) when the keys cannot be fetched. Other tokens
   * (emulator, skills), and every further check, are the SDK's.
   */
  precheck(authHeader: string): Promise<void>;
}

/**
 * Puts bounded metadata in the SDK's cache for the public cloud's two metadata URLs (channel tokens, and
 * emulator / skill tokens). The cache is the SDK's, one per process: the last Teams face created sets it.
 */
export function boundSignIn(policy: TeamsSignInPolicy, log: Logger): SignIn {
  const cache = (JwtTokenExtractor as unknown as { openIdMetadataCache?: unknown }).openIdMetadataCache;
  if (!(cache instanceof Map)) throw new Error('botframework-connector JwtTokenExtractor has no metadata cache: cannot bound Bot Framework sign-in');
  const channelUrl = AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl;
  const emulatorUrl = AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl;
  const channel = new BoundedOpenIdMetadata(policy.openIdMetadataUrl ?? channelUrl, policy, log);
  cache.set(channelUrl, channel);
  cache.set(emulatorUrl, new BoundedOpenIdMetadata(policy.emulatorOpenIdMetadataUrl ?? emulatorUrl, policy, log));
  return {
    async precheck(authHeader) {
      const [scheme, token] = authHeader.split(' ');
      const parts = token?.split('.') ?? [];
      if (scheme !== 'Bearer' || parts.length !== 3) return;
      const header = decodePart(parts[0]);
      const payload = decodePart(parts[1]);
      if (payload?.iss !== AuthenticationConstants.ToBotFromChannelTokenIssuer) return;
      const hash = HASHES[String(header?.alg)];
      if (!hash || typeof header?.kid !== 'string') throw new TokenRefused('token is not signed with RS256/384/512 and a key id');
      const key = await channel.getKey(header.kid);
      // An unknown key: the SDK refuses it (401) without printing anything.
      if (!key) return;
      const signed = verify(hash, Buffer.from(`${parts[0]}.${parts[1]}`), key.key, Buffer.from(parts[2]!, 'base64url'));
      if (!signed) throw new TokenRefused('token signature does not match Bot Framework\'s key');
    },
  };
}
