# syntax=docker/dockerfile:1.7
# One image per Auditgate service, chosen with the SERVICE build arg:
#   docker build --build-arg SERVICE=proxy -t auditgate/proxy .      (proxy | indexer | detector | query)
#   docker build --target init -t auditgate/init .                    (one-shot: templates + Dashboards objects)
# The TypeScript sources are transpiled file by file with esbuild (the one tsx already brings in, pinned by the lock
# file) into .js beside the sources, so the source layout and every `import.meta.url`-relative path (the detector's
# built-in rules, the indexer's retention policy) stay valid, and the runtime image needs neither tsx nor TypeScript.
# Type checking is not done here: `npm test` runs `tsc --noEmit` before anything ships.
ARG NODE_IMAGE=node:24.21.0-alpine

# --- manifests only, so the dependency layers are cached until a package.json or the lock file changes -----------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY shared/package.json shared/
COPY services/proxy/package.json services/proxy/
COPY services/indexer/package.json services/indexer/
COPY services/detector/package.json services/detector/
COPY services/query/package.json services/query/
COPY services/init/package.json services/init/

# --- build: the root's dev dependencies (tsx, hence esbuild) and transpile --------------------------------------
FROM manifests AS build
ARG SERVICE
# --ignore-scripts: nothing we need has an install step (esbuild ships its binary as an optional package), and it
# skips the `node` dev dependency's download of a second Node binary.
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=proxy|indexer|detector|query" >&2; exit 1; } \
 && npm ci --include-workspace-root --workspace "services/$SERVICE" --ignore-scripts --no-audit --no-fund
COPY shared/src shared/src
COPY services/${SERVICE} services/${SERVICE}
COPY k8s/containers/docker/healthcheck.mjs k8s/containers/docker/healthcheck.mjs
RUN find shared/src "services/$SERVICE/src" -name '*.ts' ! -name '*.test.ts' ! -name '*.test-helper.ts' \
      ! -path 'shared/src/testing/*' > /tmp/sources \
 && node_modules/.bin/esbuild $(cat /tmp/sources) --outdir=. --outbase=. --platform=node --format=esm \
      --target=node24 --log-level=warning \
 && find shared/src "services/$SERVICE" -name '*.ts' -delete \
 && rm -rf shared/src/testing \
 && node -e "const fs=require('node:fs');const f='shared/package.json';const p=JSON.parse(fs.readFileSync(f,'utf8'));p.exports={'.':'./src/index.js'};fs.writeFileSync(f,JSON.stringify(p,null,2))" \
 && printf "import './services/%s/src/main.js';\n" "$SERVICE" > main.mjs

# --- production dependencies of the one workspace ---------------------------------------------------------------
FROM manifests AS prod-deps
ARG SERVICE
RUN npm ci --omit=dev --workspace "services/$SERVICE" --ignore-scripts --no-audit --no-fund \
 && rm -rf /root/.npm

# --- runtime ----------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    AUDITGATE_SERVICE=${SERVICE} \
    PROXY_LISTEN_HOST=0.0.0.0 INDEXER_LISTEN_HOST=0.0.0.0 DETECTOR_LISTEN_HOST=0.0.0.0 QUERY_LISTEN_HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps --chown=0:0 /app ./
COPY --from=build --chown=0:0 /app/shared shared
COPY --from=build --chown=0:0 /app/services/${SERVICE} services/${SERVICE}
COPY --from=build --chown=0:0 /app/main.mjs /app/k8s/containers/docker/healthcheck.mjs ./
# Files stay owned by root and read-only to the service user (uid 1000, `node` in the image); numeric, so
# Kubernetes' runAsNonRoot can verify it. The proxy's spool directory is the only place it writes.
RUN mkdir -p /var/lib/auditgate/spool && chown 1000:1000 /var/lib/auditgate/spool
USER 1000:1000
# proxy 8443 (HTTPS) / 8080 (HTTP, local only); query 8080; ops ports 9464-9467 (/healthz, /readyz, /metrics).
EXPOSE 8080 8443 9464 9465 9466 9467
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
STOPSIGNAL SIGTERM
CMD ["node", "/app/main.mjs"]

# --- init: one-shot job (services/init) that installs index templates and imports the Dashboards saved objects ----
FROM manifests AS init-build
RUN npm ci --include-workspace-root --workspace services/init --ignore-scripts --no-audit --no-fund
COPY shared/src shared/src
COPY services/init/src services/init/src
# Self-contained bundle: the templates are @auditgate/shared's, the ones the indexer and detector install. Shared is
# marked side-effect free, so only what the job uses goes in; the banner gives bundled CommonJS (pino) its `require`.
RUN node_modules/.bin/esbuild services/init/src/main.ts --bundle --platform=node --format=esm --target=node24 \
      --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
      --outfile=dist/init.mjs --log-level=warning

FROM ${NODE_IMAGE} AS init
ENV NODE_ENV=production
WORKDIR /app
COPY --from=init-build /app/dist/init.mjs ./init.mjs
COPY services/query/dashboards/auditgate.ndjson dashboards/auditgate.ndjson
USER 1000:1000
CMD ["node", "/app/init.mjs"]

# The last stage is the default target: a plain `docker build --build-arg SERVICE=…` gives the service image.
FROM runtime
