// Sign-in test helpers: a user with a known password, and a login call that returns the
// session cookie (name=value) the server set.
import request from "supertest";
import type { Organization, Prisma } from "../../src/generated/prisma/client";
import { hashPassword } from "../../src/auth/passwords";
import type { TestApp } from "../support/app";

export const PASSWORD = "correct horse battery staple";

export async function userWithPassword(
  t: TestApp,
  org: Organization,
  overrides: Partial<Prisma.UserUncheckedCreateInput> = {},
) {
  return t.given.user(org, { passwordHash: await hashPassword(PASSWORD), ...overrides });
}

export async function login(t: TestApp, body: object, ip?: string) {
  const req = request(t.app).post("/auth/login");
  const res = await (ip ? req.set("X-Forwarded-For", ip) : req).send(body);
  const setCookie = res.headers["set-cookie"] as unknown as string[] | undefined;
  return { res, cookie: setCookie?.[0]?.split(";")[0] };
}
