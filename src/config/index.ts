// Configuration from environment variables, validated with zod.
// loadConfig is pure: it returns a frozen object or throws a ConfigError whose message is
// one line naming every bad variable. SECRET_KEY may be absent outside production; the
// composition root then calls ensureSecretKey (secret-key.ts).
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

const LOG_LEVELS = ["error", "warn", "info", "http", "verbose", "debug", "silly"] as const;

const urlWith = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${protocols.map((p) => p.replace(":", "://")).join(" or ")} URL` },
  );

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z
    .string()
    .refine(
      (v) =>
        isIP(v) !== 0 ||
        /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(v),
      {
        message: "must be an IP address or a host name (e.g. 0.0.0.0, ::, 127.0.0.1, localhost)",
      },
    )
    .optional(),
  BASE_URL: urlWith(["http:", "https:"]).optional(),
  DATABASE_URL: urlWith(["postgres:", "postgresql:"]).optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  SMTP_URL: urlWith(["smtp:", "smtps:"]).optional(),
  MAIL_FROM: z.string().min(3).default("sso-bridge <no-reply@localhost>"),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  TRUST_PROXY: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  SSO_ALLOW_PRIVATE_URLS: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  DB_QUEUE_LIMIT: z.coerce.number().int().min(0).default(200),
  REDIS_URL: urlWith(["redis:", "rediss:"]).optional(),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  RATE_LIMIT_SCIM_PER_TOKEN: z.coerce.number().int().min(0).default(120_000),
  RATE_LIMIT_SIGN_IN_PER_IP: z.coerce.number().int().min(0).default(1_200),
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:-]{1,40}$/, "must be 1-40 of A-Z a-z 0-9 _ : -")
    .default("sso-bridge"),
});

export interface Config {
  env: "development" | "production" | "test";
  port: number;
  /** Listen address; undefined: every interface. */
  host?: string;
  baseUrl: string;
  databaseUrl?: string;
  dataDir: string;
  secretKey?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  smtpUrl?: string;
  mailFrom: string;
  sessionTtlHours: number;
  trustProxy: boolean;
  /** OIDC discovery and provider requests may reach private, loopback and link-local addresses. */
  ssoAllowPrivateUrls: boolean;
  /** True when BASE_URL is https: session cookies get the Secure flag. */
  secureCookies: boolean;
  /** PostgreSQL connections per process, how long getting one may take, and how many may wait. */
  dbPoolSize: number;
  dbConnectTimeoutMs: number;
  /** Requests are refused (503) while more than this much database work waits for a connection. */
  dbQueueLimit: number;
  /** Rate-limit counters go to Redis when set, else to the database (docs/operations.md). */
  redisUrl?: string;
  rateLimit: Readonly<RateLimitConfig>;
}

export interface RateLimitConfig {
  windowSeconds: number;
  /** Requests per window for one SCIM token; 0 turns the limit off. */
  scimPerToken: number;
  /** Sign-in requests (SSO start and return, local sign-in) per window from one address; 0: off. */
  signInPerIp: number;
  /** Prefix of every counter's key: separates deployments (or test runs) sharing one store. */
  keyPrefix: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  // Empty strings count as unset: `FOO= npm start` should not be a validation error.
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const parts = parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`);
    throw new ConfigError(`invalid configuration: ${parts.join("; ")}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === "production" && !c.SECRET_KEY) {
    throw new ConfigError("invalid configuration: SECRET_KEY is required when NODE_ENV=production");
  }
  const baseUrl = (c.BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, "");
  return Object.freeze({
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    baseUrl,
    databaseUrl: c.DATABASE_URL,
    dataDir: path.resolve(c.DATA_DIR),
    secretKey: c.SECRET_KEY,
    logLevel: c.LOG_LEVEL,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    sessionTtlHours: c.SESSION_TTL_HOURS,
    trustProxy: c.TRUST_PROXY,
    ssoAllowPrivateUrls: c.SSO_ALLOW_PRIVATE_URLS,
    secureCookies: baseUrl.startsWith("https://"),
    dbPoolSize: c.DB_POOL_SIZE,
    dbConnectTimeoutMs: c.DB_CONNECT_TIMEOUT_MS,
    dbQueueLimit: c.DB_QUEUE_LIMIT,
    redisUrl: c.REDIS_URL,
    rateLimit: Object.freeze({
      windowSeconds: c.RATE_LIMIT_WINDOW_SECONDS,
      scimPerToken: c.RATE_LIMIT_SCIM_PER_TOKEN,
      signInPerIp: c.RATE_LIMIT_SIGN_IN_PER_IP,
      keyPrefix: c.RATE_LIMIT_KEY_PREFIX,
    }),
  });
}

export type ReadyConfig = Readonly<Config & { secretKey: string }>;
