// Embedded database only: long work that shares PGlite's one connection with the server's
// requests (the role sweep, its guard's preview, the role-mapping preview, the autovacuum steps)
// runs in pieces, and after each piece waits as long as the piece took. Why not a bare yield: a
// request is several statements, each queued behind the connection; with only a yield each of
// them would wait for a whole piece. Half the time for the long work, half for everyone else
// (docs/benchmarks.md, "Embedded mode under a recompute").

/** Waits as long as has passed since `started` (a performance.now() reading), at least 1 ms. */
export const pauseAsLongAsSince = (started: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(1, performance.now() - started)));
