# pecflow production image: one build, three roles (web | worker | all).
#   docker build -t pecflow .
#   docker run -e DATABASE_URL=… -e REDIS_URL=… -e SESSION_SECRET=… -p 3000:3000 pecflow          (all)
#   docker run … pecflow node dist/main.js worker                                                (worker only)

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node bin ./bin
COPY --chown=node:node tenants ./tenants
COPY --chown=node:node themes ./themes
COPY --chown=node:node models ./models
COPY --chown=node:node workflows ./workflows
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js", "all"]
