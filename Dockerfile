# vidu-queue: one image for the worker, the simulator and the CLI.
# Node 20: every dependency supports it (the lock file pins light-my-request 6.6.0, whose cookie 1
# wants Node >= 18; test/unit/engines.test.ts checks every installed package's engines.node).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Same install as CI: reproducible from the lock file.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["worker"]
