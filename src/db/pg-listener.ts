// LISTEN on PostgreSQL for Database.listen: one dedicated connection per channel, outside the
// pool, re-opened every second while it is down.
import pg from "pg";
import type { ListenHandlers } from "./client";

const RELISTEN_DELAY_MS = 1_000;
// LISTEN takes an identifier, not a parameter: only plain names are let through.
export const assertChannel = (channel: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
};

/** LISTEN on PostgreSQL: one dedicated connection per channel, outside the pool. */
export function pgListener(connectionString: string) {
  const clients = new Set<pg.Client>();
  let closed = false;
  const listen = (channel: string, h: ListenHandlers) => {
    assertChannel(channel);
    if (closed) return;
    const client = new pg.Client({ connectionString });
    clients.add(client);
    const down = () => {
      if (!clients.delete(client)) return;
      h.onLive(false);
      client.end().catch(() => undefined);
      if (!closed) setTimeout(() => listen(channel, h), RELISTEN_DELAY_MS).unref();
    };
    client.on("error", down);
    client.on("end", down);
    client.on("notification", (n) => h.onNotify(n.payload ?? ""));
    client
      .connect()
      .then(() => client.query(`LISTEN ${channel}`))
      .then(() => clients.has(client) && h.onLive(true), down);
  };
  const close = async () => {
    closed = true;
    const open = [...clients];
    clients.clear();
    await Promise.all(open.map((c) => c.end().catch(() => undefined)));
  };
  return { listen, close };
}
