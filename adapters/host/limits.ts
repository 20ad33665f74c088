// Every limit the HTTP server applies itself, to every endpoint, in one place. (What Slack and Teams requests may
// carry is in adapters/slack/limits.ts and adapters/teams/limits.ts.) The README's operator table lists these.
//
// Why these values:
// - Connections: a Slack or Teams request is one short exchange, and the process needs file descriptors for its
//   store and its calls out too; 4,096 open connections is far above what the platforms need, and far below the
//   descriptor limits a service is given (here 20,000). At the cap the connection idle longest goes first: a
//   half-open (slowloris) connection, or a keep-alive with nothing to do, never a request in progress.
// - Timeouts: a real client sends its headers in one packet and a Slack or Teams body (under 256 KB) in well
//   under a second; 5 s for the headers and 10 s for the whole request leave room for a slow network and close a
//   slowloris within about 10 s. Node checks them every `timeoutCheckMs` (its default, 30 s, let them live 40 s).
// - Bodies in flight: at most 64 MB of request bodies are held at once over all connections (256 bodies at the
//   Slack or Teams cap; a real Slack request is 1–80 KB), so fat bodies cannot take the process's memory.

export const HOST_LIMITS = {
  /** MANAGEMENT_PORT's default: /healthz, /readyz and /metrics, away from the public port (the README says why). */
  managementPort: 3979,
  /** Connections the management port holds at once: it serves probes and a scraper, nothing else. */
  managementMaxConnections: 64,
  /** Open connections at once (MAX_CONNECTIONS). */
  maxConnections: 4096,
  /** Request bodies admitted at once over every connection, in bytes (MAX_BODY_BYTES_IN_FLIGHT): past it, 503. */
  maxBodyBytesInFlight: 64 * 1024 * 1024,
  /** Seconds the 503 for a full body budget asks the client to wait. */
  retryAfterSeconds: 1,
  /** Complete request headers within this long of the request's start: 408 and closed otherwise. */
  headersTimeoutMs: 5_000,
  /** The whole request, headers and body, within this long: 408 and closed otherwise. */
  requestTimeoutMs: 10_000,
  /** How often Node checks the two timeouts above. */
  timeoutCheckMs: 1_000,
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: 5_000,
  /** File descriptors kept for the rest (store, calls out, logs) above MAX_CONNECTIONS: a start with less under `ulimit -n` is warned about. */
  descriptorReserve: 256,
  /** The "cap reached" warnings: one when it is first reached, then at most one summary per this long. */
  capLogIntervalMs: 60_000,
} as const;

export type HostLimits = { -readonly [K in keyof typeof HOST_LIMITS]: number };
