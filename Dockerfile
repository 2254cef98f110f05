# The operator's image: one program, `node bin/flink-session-operator.ts <run|watcher|worker>`
# (TypeScript run by Node 24's type stripping; no compile step). deploy/ runs it as `watcher` and
# `worker`, docker-compose.yml as `run`.
#
#   docker build -t flink-session-operator:0.1.0 .

# 1. Production dependencies. The `zookeeper` package compiles its bundled C client and a native addon
#    at install: python3, make and g++ do that, with the Node headers the image ships (npm_config_nodedir)
#    so node-gyp downloads nothing. The project's postinstall (scripts/rebuild-native.sh) only acts when
#    the `node` devDependency is installed, which --omit=dev leaves out: npm builds the addon for this
#    image's Node 24 directly.
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
COPY scripts/rebuild-native.sh scripts/
RUN npm ci --omit=dev --no-audit --no-fund \
 && node -e 'require("zookeeper")' \
 && npm cache clean --force

# 2. The runtime: the same Node, the installed modules and the operator's sources (tests excluded by
#    .dockerignore); no compiler, no npm cache, not root.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY cli ./cli
COPY config ./config
COPY concurrency ./concurrency
COPY kube ./kube
COPY net ./net
COPY model ./model
COPY observability ./observability
COPY activities ./activities
COPY workflows ./workflows
COPY watcher ./watcher
COPY worker ./worker
# A numeric user, so Kubernetes can check runAsNonRoot (deploy/ runs it as 65532 too).
USER 65532:65532
# FSO_METRICS_PORT: /metrics, /healthz, /readyz.
EXPOSE 9464
ENTRYPOINT ["node", "bin/flink-session-operator.ts"]
CMD ["run"]
