import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Capabilities (domain folders) and the edges that serve them over HTTP, the portal and the CLI.
const DOMAIN = [
  "orgs",
  "roles",
  "users",
  "scim",
  "sso",
  "auth",
  "audit",
  "events",
  "credentials",
  "sessions",
  "mail",
  "webhooks",
];
const EDGE = ["http", "api", "portal", "cli", "services", "boot", "main"];

export default tseslint.config(
  {
    ignores: [
      ".tmp*",
      "dist/",
      "src/generated/",
      "node_modules/",
      "data/",
      "coverage/",
      "scripts/prisma-offline.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        __dirname: "readonly",
        require: "readonly",
        module: "writable",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        URL: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  // The layers of docs/architecture.md ("Layers"), enforced here so that a wrong import fails `npm run lint`.
  {
    files: [`src/{${DOMAIN.join(",")}}/**/*.{ts,tsx}`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^\\.\\.?/(.*/)?(http|api|portal|cli)(/|$)",
              message:
                "Layers (docs/architecture.md): a domain folder never imports http/, api/, portal/ or cli/. Move what both need to shared/ or into the domain, or move the Express piece to http/.",
            },
            {
              regex: "^\\.\\.?/(.*/)?(services|boot|main)$",
              message:
                "Layers (docs/architecture.md): domain code takes the narrow dependencies it uses (a deps interface), never the Services of the composition root.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/{shared,db}/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: `^\\.\\.?/(.*/)?(${[...DOMAIN, ...EDGE].join("|")})(/|$)`,
              message:
                "Layers (docs/architecture.md): shared/ and db/ import no capability; every capability may import them, never the reverse.",
            },
          ],
        },
      ],
    },
  },
  // Tests read untyped JSON bodies; `any` there is the honest type.
  { files: ["test/**/*.ts", "bench/**/*.ts"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
);
