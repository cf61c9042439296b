// Binding the HTTP port, with one readable line when it cannot be had. The port is checked
// before anything else starts (a fresh embedded database takes a while to migrate), and the
// real listen reports the same errors in case another process took it meanwhile.
import net from "node:net";

export class ListenError extends Error {
  override name = "ListenError";
}

function explain(e: NodeJS.ErrnoException, port: number, host: string | undefined): Error {
  const where = host ? ` on HOST ${host}` : "";
  switch (e.code) {
    case "EADDRINUSE":
      return new ListenError(`PORT ${port} is already in use${where}`);
    case "EACCES":
      return new ListenError(
        `PORT ${port} needs privileges this user does not have${where}: use a port above 1023`,
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new ListenError(`HOST ${host} is not an address of this machine`);
    default:
      return e;
  }
}

/** Listens on port and host (every interface when host is undefined), or rejects explaining why not. */
export function listen(server: net.Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => reject(explain(e, port, host));
    server.once("error", failed);
    server.listen({ port, host }, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

/** Rejects when the port cannot be bound now; port 0 (any free port) always can. */
export async function assertPortFree(port: number, host: string | undefined): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await listen(probe, port, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
