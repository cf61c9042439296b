# syntax=docker/dockerfile:1
# Multi-stage build: compile with dev dependencies, ship production dependencies only,
# run as the unprivileged `node` user. Set DATABASE_URL and SECRET_KEY in production.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
# postinstall generates the Prisma client, compiles to dist/ and links the CLI.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The portal's stylesheet and script, read from src/portal/assets by dist/portal/assets.js.
COPY --from=build --chown=node:node /app/src/portal/assets ./src/portal/assets
COPY --from=build --chown=node:node /app/bin ./bin
COPY --from=build --chown=node:node /app/prisma/migrations ./prisma/migrations
RUN mkdir -p /data && chown node:node /data && ln -s /app/bin/sso-bridge.js /usr/local/bin/sso-bridge
USER node
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
