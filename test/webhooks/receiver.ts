// A webhook receiver on loopback for the delivery tests: it records every request (headers and
// body) and answers what the test's responder says, optionally after a delay.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Received {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  envelope: {
    id: string;
    type: string;
    occurredAt: string;
    organization: { id: string; slug: string };
    data: Record<string, unknown>;
  };
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
}

export type Responder = (request: Received, index: number) => Answer;

export async function startReceiver(responder: Responder = () => ({ status: 200, body: "ok" })) {
  const received: Received[] = [];
  /** Requests that arrived and have not been answered yet, by webhook-id. */
  const inFlight = new Map<string, number>();
  let overlaps = 0;
  const delays = new Set<NodeJS.Timeout>();
  let respond = responder;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const id = String(req.headers["webhook-id"]);
      const r: Received = {
        id,
        headers: req.headers,
        body,
        envelope: JSON.parse(body || "{}") as Received["envelope"],
      };
      const answer = respond(r, received.length);
      received.push(r);
      if (inFlight.get(id)) overlaps++;
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
      const finish = () => {
        inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? "");
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          delays.delete(timer);
          finish();
        }, answer.delayMs);
        delays.add(timer);
      } else finish();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** How many times a request arrived while another with the same webhook-id was unanswered. */
    overlaps: () => overlaps,
    setResponder(next: Responder) {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        delays.forEach(clearTimeout);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The payload if `r` verifies under `secret` (Standard Webhooks' own check), else throws. */
export const verify = (secret: string, r: Received): unknown =>
  new Webhook(secret).verify(r.body, {
    "webhook-id": String(r.headers["webhook-id"]),
    "webhook-timestamp": String(r.headers["webhook-timestamp"]),
    "webhook-signature": String(r.headers["webhook-signature"]),
  });

/** Polls `check` until it holds (or fails the test after `timeoutMs`). */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
