// The HTTP client of bench/saml-acs.ts, in a process of its own so that the CPU the bench reads
// of the service's process is the service's alone. Forked with an IPC channel; each message
// { port, path, forms, conc, expected } is answered, once every form has been posted over
// keep-alive connections at concurrency `conc`, with how many answers differed from `expected`
// and this process's CPU milliseconds meanwhile.
import http from "node:http";
import { httpCall } from "./http-call";

interface Job {
  port: number;
  path: string;
  forms: string[];
  conc: number;
  expected: number;
}

const agent = new http.Agent({ keepAlive: true });

const post = async (port: number, path: string, form: string): Promise<number> =>
  (await httpCall(agent, port, "POST", path, { "content-type": "application/x-www-form-urlencoded" }, form))
    .status;

async function run({ port, path, forms, conc, expected }: Job) {
  let bad = 0;
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      for (let f = forms.pop(); f !== undefined; f = forms.pop())
        if ((await post(port, path, f)) !== expected) bad++;
    }),
  );
  const c = process.cpuUsage(c0);
  return { bad, cpuMs: (c.user + c.system) / 1000 };
}

process.on("message", (job: Job) => {
  run(job).then(
    (result) => process.send!(result),
    (e: Error) => process.send!({ error: e.message }),
  );
});
process.on("disconnect", () => {
  agent.destroy();
  process.exit(0);
});
