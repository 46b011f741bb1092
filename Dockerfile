# The FunGame authentication service: compiled in a build stage, run from a slim image that holds only
# the production dependencies and the compiled JavaScript. scripts/check-compose.sh runs the same npm
# and node commands outside a container, so keep the two in step.
#
# The container always gets DATABASE_URL (see docker-compose.yml), so the embedded PostgreSQL that the
# service starts when DATABASE_URL is unset never runs here. Migrations need no step of their own: the
# service applies them at start, under an advisory lock, so replicas starting together migrate once.

# Node 24 LTS (the major of .nvmrc) on Debian 13; scripts/check-compose.sh checks the two agree.
ARG NODE_IMAGE=node:24-trixie-slim

FROM ${NODE_IMAGE} AS base
# package.json "allowScripts" (which dependencies' install scripts may run: bcrypt's, not the telemetry
# of @scarf/scarf) needs the npm that the project is developed and tested with, not whichever the image bundles.
ARG NPM_VERSION=11.19.1
RUN npm install --global "npm@${NPM_VERSION}" --no-audit --no-fund && npm cache clean --force
WORKDIR /app

FROM base AS build
# Dependencies first, in a layer of their own, so that a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM base AS runtime
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# bcrypt loads a prebuilt binary shipped in its package, so no compiler is needed here. Optional
# dependencies are left out: the embedded PostgreSQL's binaries (about 60 MB; the container always has
# DATABASE_URL) and TypeScript (an optional peer of @nestjs/swagger, needed only to build).
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The files stay root's and read-only to the process: it writes nothing to disk in production.
USER node
EXPOSE 3000
# Readiness, not just liveness: GET /health answers 200 only while the database does. Slim images have
# no curl, so Node's own fetch asks; PORT is the one the service listens on.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# The heap settings of `npm run start:prod` (package.json), which `npm run bench` measures.
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=4", "dist/main.js"]
