// The benches' HTTP client: one request to 127.0.0.1 over a keep-alive agent, answering the status
// and the body. The body is decoded only when read: the load generator shares the server's cores,
// and most phases check the status alone (a page of users is 60 KB). Kept free of the app's
// imports: bench/post-forms.ts runs it in a process of its own.
import http from "node:http";

export interface Answer {
  status: number;
  readonly body: string;
}

export function httpCall(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  headers: http.OutgoingHttpHeaders = {},
  body?: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent,
        headers: body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            get body() {
              return Buffer.concat(chunks).toString("utf8");
            },
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
