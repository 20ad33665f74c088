import { isLoopbackHost } from '../config.ts';

/**
 * In local mode (no Bot Framework auth): may the bot send to this serviceUrl? Loopback, or an origin the operator
 * allowed (TEAMS_ALLOWED_SERVICE_URLS). Nothing authenticates a local-mode caller, so without this the bot would send
 * its replies, and its proactive messages, wherever an activity's serviceUrl pointed. With Bot Framework auth the
 * signed token binds the serviceUrl instead.
 */
export function serviceUrlAllowed(serviceUrl: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  return isLoopbackHost(url.hostname) || allowed.includes(url.origin);
}
