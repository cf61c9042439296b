// While the server holds the embedded database, CLI commands reach it through a Unix socket
// in DATA_DIR (mode 0600: only the owner of the data may connect). One JSON line in, one
// JSON line out; the server runs the same command table as the CLI's local mode.
import net from "node:net";
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import path from "node:path";
import { AppError } from "../shared/errors";
import type { Logger } from "../shared/logger";
import type { Services } from "../services";
import { runCommand, type CommandRequest, type CommandResult } from "./commands";

export const socketPath = (dataDir: string): string => path.join(dataDir, "cli.sock");

export function serveControlSocket(services: Services, dataDir: string, logger: Logger): Promise<net.Server> {
  const file = socketPath(dataDir);
  if (existsSync(file)) unlinkSync(file); // stale: the data-dir lock proved no other server runs
  const server = net.createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", async (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf("\n");
      if (newline < 0) return;
      let reply: CommandResult;
      try {
        reply = await runCommand(services, JSON.parse(buffer.slice(0, newline)) as CommandRequest);
      } catch (e) {
        logger.error("control socket request failed", { error: e });
        reply = { ok: false, error: { code: "internal", message: "the server could not run the command" } };
      }
      socket.end(JSON.stringify(reply) + "\n");
    });
    socket.on("error", () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(file, () => {
      chmodSync(file, 0o600);
      resolve(server);
    });
  });
}

/** Sends a command to a running server; null when no server listens on this DATA_DIR. */
export function requestOverSocket(dataDir: string, request: CommandRequest): Promise<CommandResult | null> {
  const file = socketPath(dataDir);
  if (!existsSync(file)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const socket = net.connect(file);
    let buffer = "";
    let connected = false;
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      connected = true;
      socket.write(JSON.stringify(request) + "\n");
    });
    socket.on("data", (chunk: string) => (buffer += chunk));
    socket.on("end", () => {
      try {
        resolve(JSON.parse(buffer) as CommandResult);
      } catch {
        reject(new AppError("internal", "the server's answer was not understood"));
      }
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (!connected && (e.code === "ECONNREFUSED" || e.code === "ENOENT")) resolve(null);
      else reject(e);
    });
  });
}
