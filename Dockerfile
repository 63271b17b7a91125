# syntax=docker/dockerfile:1
# rec-serving: rec-serve on Node 20 (CPU; the GPU providers are an opt-in install, see README).
#   docker build -t rec-serving:0.1.0 .
#   docker run --rm -p 9393:9393 -p 19393:19393 rec-serving:0.1.0
# Flags after the image name replace CMD (e.g. `--processes 2 --thread 1 --cpu_threads 1`).

# Build stage: npm ci (its `prepare` compiles TypeScript and generates serving_server/model.onnx),
# then drop the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node's optional GPU (CUDA) download is skipped at install, as in CI: package.json's
# allowScripts denies it on npm versions that know that field, this variable on every npm.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json tsconfig.json ./
COPY proto ./proto
COPY src ./src
COPY serving_server ./serving_server
COPY serving_client ./serving_client
RUN npm ci --no-audit --no-fund \
 && test -s serving_server/model.onnx \
 && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: compiled code, production dependencies, protos, the model and client configs.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/proto ./proto
COPY --from=build /app/serving_server ./serving_server
COPY --from=build /app/serving_client ./serving_client
USER node
# 9393: gRPC, Paddle HTTP/1.1 and baidu_std (one port); 19393: metrics and /v2/health.
EXPOSE 9393 19393
# SIGTERM drains: calls already received are answered within --shutdown_grace_ms.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/serve.js"]
CMD ["--model", "serving_server", "--port", "9393", "--enable_prometheus", "--prometheus_host", "0.0.0.0", "--prometheus_port", "19393"]
