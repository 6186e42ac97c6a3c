# OPE, the Options Pricing Engine: production image.
#   docker build -t ope:0.1.0 .
#   docker run --rm -p 8000:8000 -e OPE_ENVIRONMENT=production -e OIDC_ISSUER=... -e OIDC_AUDIENCE=... \
#     -e OIDC_JWKS_URL=... -e OPE_ALLOWED_HOSTS=... -e OPE_THREADS=2 ope:0.1.0
# Stage 1 compiles TypeScript to dist/ with the dev toolchain; stage 2 holds only production dependencies, dist/
# and the playground's public/, runs as an unprivileged user, and starts `node dist/main.js` (no TypeScript loader
# at run time).

# Node 24 LTS on Debian 12 slim. The tag moves with each Node 24 patch release; to pin, build with
#   --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d
# (the digest public repositories recorded for node:24-bookworm-slim at Node 24.18.0; no registry was reachable from
# here to confirm the current one: check with `docker buildx imagetools inspect node:24-bookworm-slim`).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The library workspace (packages/core, @ope/core) is part of the lockfile: npm ci needs its manifest.
COPY packages/core/package.json packages/core/tsconfig.json packages/core/clean-dist.mjs ./packages/core/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm run build --workspace @ope/core

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system --gid 10001 ope \
 && useradd --system --uid 10001 --gid ope --no-create-home --shell /usr/sbin/nologin ope
COPY package.json package-lock.json ./
COPY packages/core/package.json ./packages/core/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# node_modules/@ope/core links to packages/core: the library as compiled in the build stage.
COPY --from=build /app/packages/core/dist ./packages/core/dist
# The version /healthz reports is read from package.json, two levels above dist/http/.
COPY --from=build /app/dist ./dist
# The playground's static files (served outside production, or with OPE_PLAYGROUND=on), read from public/ beside dist/.
COPY public ./public
USER ope
EXPOSE 8000
# SIGTERM starts the graceful drain (src/main.ts); keep `docker stop -t` above OPE_SHUTDOWN_GRACE_SECONDS (25).
STOPSIGNAL SIGTERM
# /healthz is exempt from the OPE_ALLOWED_HOSTS check, so the check needs no Host of its own.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/healthz', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
