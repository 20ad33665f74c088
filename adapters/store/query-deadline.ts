// PostgreSQL queries that outlive their deadline (see cancelPastDeadline). Its own module: the store, its query layer
// and the writer thread use it, and none of them needs the others for it.

/** How long one PostgreSQL query may take before its connection is cut (see cancelPastDeadline). */
export const QUERY_DEADLINE_MS = 5_000;
/** The same for migrations and the prune, which may touch every row. */
export const LONG_QUERY_DEADLINE_MS = 10 * 60_000;

/** The query deadline in force; migrate() and prune() lengthen it while they run. */
export interface QueryDeadline {
  ms: number;
}

type PgClient = { query: (...args: any[]) => unknown; connection?: { stream?: { destroy(err?: Error): void } } };

/**
 * A query still running at its deadline is cancelled by cutting its connection: over a network that stalls, neither
 * a server-side statement_timeout nor a cancel request can arrive, and pg's own query_timeout leaves the connection
 * checked out and blocked behind the unanswered query. Cut, the query fails ("Connection terminated"), the
 * connection is dropped from the pool when released, and the next query opens a new one.
 */
export function cancelPastDeadline(client: PgClient, deadline: QueryDeadline): void {
  const query = client.query.bind(client);
  client.query = (...args: any[]) => {
    const running = query(...args);
    if (!(running instanceof Promise)) return running; // callback or submittable forms: not used by Kysely
    const timer = setTimeout(() => client.connection?.stream?.destroy(new Error(`query cancelled after ${deadline.ms} ms`)), deadline.ms);
    timer.unref();
    return running.finally(() => clearTimeout(timer));
  };
}
