// Real service processes for the tests of several instances and of crashes: `src/main.ts` in a
// child process of its own (through tsx, so it runs this checkout's source), on a loopback port
// the kernel picks. launch() resolves once the process logs that it listens.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface Instance {
  child: ChildProcess;
  /** The port it listens on, once it does (rejects if the process exits first). */
  ready: Promise<number>;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  /** SIGTERM, and the exit code once it has stopped. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9): no shutdown code runs; resolves once the process is gone. */
  kill(): Promise<void>;
}

/** `nodeArgs`: more options for node (the load benchmark's --cpu-prof). */
export function launch(env: Record<string, string>, nodeArgs: string[] = []): Instance {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/main.ts"], {
    cwd: path.resolve(__dirname, "../.."),
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<number>((resolve, reject) => {
    let listening = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Why only until it listens: the process writes its log to this pipe, which blocks it
      // (pipes are synchronous on Linux) while this side is slow to read.
      if (listening) return;
      const line = output.split("\n").find((l) => l.includes('"sso-bridge listening"'));
      if (line) {
        listening = true;
        resolve(JSON.parse(line).port as number);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  ready.catch(() => undefined); // a caller that never awaits it must not crash the test run
  return {
    child,
    ready,
    output: () => output,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
