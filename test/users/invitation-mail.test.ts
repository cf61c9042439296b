import { AddressInfo } from "node:net";
import request from "supertest";
import { SMTPServer } from "smtp-server";
import { createTestApp, type TestApp } from "../support/app";
import { orgWithMembers } from "./helpers";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** Undoes quoted-printable so the link can be read back from the raw message. */
const decodeQp = (raw: string): string =>
  raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

const URL_IN_MAIL = /http:\/\/sso\.test\/auth\/invitations\/[A-Za-z0-9_-]+/;

describe("invitation mail through SMTP", () => {
  const received: Received[] = [];
  let smtp: SMTPServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["AUTH", "STARTTLS"],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const { port } = smtp.server.address() as AddressInfo;
    t = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: "Acme IT <it@acme.test>" });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => smtp.close(resolve));
  });

  test("when an Admin invites someone, then a mail with a working set-password link arrives at the loopback SMTP server", async () => {
    const { org, admin, base } = await orgWithMembers(t, { name: "Acme Corp" });
    const res = await request(t.app)
      .post(`${base}/invitations`)
      .set("Cookie", admin.cookie)
      .send({ invitations: [{ email: "ada@example.test", firstName: "Ada", role: "Viewer" }] })
      .expect(201);
    const mail = received.find((m) => m.to.includes("ada@example.test"));
    expect(mail).toBeDefined();
    expect(mail!.from).toBe("it@acme.test");
    const body = decodeQp(mail!.raw);
    expect(body).toMatch(/Subject: You are invited to Acme Corp/);
    expect(body).toContain("Hello Ada,");
    const link = URL_IN_MAIL.exec(body)?.[0];
    expect(link).toBe(res.body.invitations[0].invitationUrl);
    const row = await t.db.prisma.mailOutbox.findFirstOrThrow({
      where: { orgId: org.id, to: "ada@example.test" },
    });
    expect(row.sentAt).not.toBeNull();
    // The stored copy is encrypted: the one-time link is not readable in the database.
    expect(row.text).not.toContain(link);
    expect(t.services.mail.readText(row)).toContain(link);
    // With SMTP configured, the link is not printed.
    expect(t.rawLogs.join("")).not.toContain(link!.split("/").pop());
    await request(t.app)
      .post(new URL(link!).pathname + "/accept")
      .send({ password: "a long enough password" })
      .expect(200);
  });

  test("when an invitation is resent, then a second mail arrives with a different link and only that one works", async () => {
    const { admin, base } = await orgWithMembers(t);
    const res = await request(t.app)
      .post(`${base}/invitations`)
      .set("Cookie", admin.cookie)
      .send({ invitations: [{ email: "twice@example.test", role: "Viewer" }] })
      .expect(201);
    await request(t.app)
      .post(`${base}/invitations/${res.body.invitations[0].id}/resend`)
      .set("Cookie", admin.cookie)
      .expect(200);
    const links = received
      .filter((m) => m.to.includes("twice@example.test"))
      .map((m) => URL_IN_MAIL.exec(decodeQp(m.raw))?.[0]);
    expect(links).toHaveLength(2);
    expect(links[0]).not.toBe(links[1]);
    await request(t.app).get(new URL(links[0]!).pathname).expect(410);
    await request(t.app).get(new URL(links[1]!).pathname).expect(200);
  });
});

describe("invitation mail without SMTP", () => {
  test("when no SMTP_URL is set outside production, then the mail stays in the outbox and the link is printed in the log message", async () => {
    const t = await createTestApp();
    try {
      const { org, admin, base } = await orgWithMembers(t);
      const res = await request(t.app)
        .post(`${base}/invitations`)
        .set("Cookie", admin.cookie)
        .send({ invitations: [{ email: "dev@example.test", role: "Viewer" }] })
        .expect(201);
      const link = res.body.invitations[0].invitationUrl as string;
      const row = await t.db.prisma.mailOutbox.findFirstOrThrow({ where: { orgId: org.id } });
      expect(row.sentAt).toBeNull();
      expect(t.services.mail.readText(row)).toContain(link);
      expect(
        t.logs.some(
          (l) => l.message === "mail kept in the outbox (no SMTP_URL)" && l.to === "dev@example.test",
        ),
      ).toBe(true);
      expect(t.logs.some((l) => String(l.message).includes(link))).toBe(true);
    } finally {
      await t.close();
    }
  });

  test("when running in production, then neither the answer nor any log line carries the link", async () => {
    const t = await createTestApp({ NODE_ENV: "production" });
    try {
      const { org, admin, base } = await orgWithMembers(t);
      const res = await request(t.app)
        .post(`${base}/invitations`)
        .set("Cookie", admin.cookie)
        .send({ invitations: [{ email: "prod@example.test", role: "Viewer" }] })
        .expect(201);
      expect(res.body.invitations[0].invitationUrl).toBeUndefined();
      expect(res.body.invitations[0].id).toBeDefined();
      const row = await t.db.prisma.mailOutbox.findFirstOrThrow({ where: { orgId: org.id } });
      const link = URL_IN_MAIL.exec(t.services.mail.readText(row))![0];
      expect(t.rawLogs.join("")).not.toContain(link.split("/").pop());
    } finally {
      await t.close();
    }
  });
});
