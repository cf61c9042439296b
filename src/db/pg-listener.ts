// LISTEN on PostgreSQL for Database.listen: one dedicated connection per channel, outside the
// pool, re-opened every second while it is down. And Database.settle: a barrier that resolves
// once every process listening on a channel has handled what was committed before it.
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { ListenHandlers } from "./client";

const RELISTEN_DELAY_MS = 1_000;
// LISTEN takes an identifier, not a parameter: only plain names are let through.
export const assertChannel = (channel: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
};

// How settle() works: every listening connection is named after its channel
// (application_name), so the settling process can count the listeners of the database; it
// then sends a marker on the channel, after what it committed (PostgreSQL delivers
// notifications in commit order to each listener), and each listener answers the marker on
// the channel's "_settled" twin, with its backend's pid, once its handler has run. When every
// counted listener has answered, each has handled what came before the marker (a listener that
// connects meanwhile starts with nothing held, and is not waited for).
const SETTLE_PREFIX = "settle:";
const listenerName = (channel: string) => `sso-bridge listen ${channel}`;
const settledChannel = (channel: string) => `${channel}_settled`;

/** LISTEN on PostgreSQL: one dedicated connection per channel, outside the pool. */
export function pgListener(connectionString: string) {
  const clients = new Set<pg.Client>();
  let closed = false;
  const listen = (channel: string, h: ListenHandlers) => {
    assertChannel(channel);
    if (closed) return;
    const client = new pg.Client({ connectionString, application_name: listenerName(channel) });
    clients.add(client);
    const down = () => {
      if (!clients.delete(client)) return;
      h.onLive(false);
      client.end().catch(() => undefined);
      if (!closed) setTimeout(() => listen(channel, h), RELISTEN_DELAY_MS).unref();
    };
    client.on("error", down);
    client.on("end", down);
    client.on("notification", (n) => {
      const payload = n.payload ?? "";
      h.onNotify(payload);
      // Answered after the handler ran (handlers are synchronous); a failed answer only makes
      // the settling process wait for its timeout.
      if (payload.startsWith(SETTLE_PREFIX))
        client
          .query("SELECT pg_notify($1, $2 || ':' || pg_backend_pid())", [settledChannel(channel), payload])
          .catch(() => undefined);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${channel}`))
      .then(() => clients.has(client) && h.onLive(true), down);
  };

  // The answers to this process's markers: one connection per settled channel, opened at the
  // first settle() on it (a process that never settles opens none), re-opened like any other.
  const waiters = new Map<string, (pid: number) => void>();
  const answering = new Map<string, { up: boolean; whenUp: (() => void)[] }>();
  const answersUp = (channel: string): Promise<void> => {
    let state = answering.get(channel);
    if (!state) {
      const s = { up: false, whenUp: [] as (() => void)[] };
      answering.set(channel, (state = s));
      listen(settledChannel(channel), {
        onNotify: (answer) => {
          const at = answer.lastIndexOf(":");
          waiters.get(answer.slice(0, at))?.(Number(answer.slice(at + 1)));
        },
        onLive: (up) => {
          s.up = up;
          if (up) for (const wake of s.whenUp.splice(0)) wake();
        },
      });
    }
    const s = state;
    return s.up ? Promise.resolve() : new Promise((resolve) => s.whenUp.push(resolve));
  };

  const barrier = async (pool: pg.Pool, channel: string, marker: string) => {
    await answersUp(channel);
    const { rows } = await pool.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
      [listenerName(channel)],
    );
    const left = new Set(rows.map((r) => r.pid));
    if (left.size === 0) return;
    const all = new Promise<void>((resolve) =>
      waiters.set(marker, (pid) => left.delete(pid) && left.size === 0 && resolve()),
    );
    await pool.query("SELECT pg_notify($1, $2)", [channel, marker]);
    await all;
  };

  /**
   * Resolves true once every connection listening on `channel` in this database has handled the
   * notifications committed before the call; false when that is not known within `timeoutMs`
   * (a listener that does not answer, the database unreachable). Never rejects.
   */
  const settle = async (pool: pg.Pool, channel: string, timeoutMs: number): Promise<boolean> => {
    assertChannel(channel);
    const marker = `${SETTLE_PREFIX}${randomUUID()}`;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([barrier(pool, channel, marker).then(() => true as const), timedOut]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      waiters.delete(marker);
    }
  };

  const close = async () => {
    closed = true;
    const open = [...clients];
    clients.clear();
    await Promise.all(open.map((c) => c.end().catch(() => undefined)));
  };
  return { listen, settle, close };
}
