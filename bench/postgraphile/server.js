// PostGraphile 4.14 over the sales gateway's tables: a peer in the benchmark (`python -m bench`).
//
// Library mode, one HTTP server per process; WORKERS > 1 forks that many workers with node's cluster module
// (what `postgraphile --cluster-workers` does). It connects as the gateway's serving role, so row-level
// security applies, and sets `app.producer_id` per request through `pgSettings`, from the bearer key. The key
// is looked up in a JSON file the benchmark writes (not in the database): PostGraphile has no API keys of
// its own, so its requests skip the key lookup that ours make.
//
// Environment: DATABASE_URL (the serving role), PORT, KEYS_FILE ([{producer_id, key}]), WORKERS (default 1),
// POOL_MAX (connections per process, default 10).
"use strict";

const cluster = require("node:cluster");
const fs = require("node:fs");
const http = require("node:http");
const { Pool } = require("pg");
const { postgraphile } = require("postgraphile");

const workers = Number(process.env.WORKERS || "1");
const port = Number(process.env.PORT || "5000");

function serve() {
  const producers = new Map(
    JSON.parse(fs.readFileSync(process.env.KEYS_FILE, "utf8")).map((entry) => [entry.key, String(entry.producer_id)]),
  );
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX || "10") });
  const middleware = postgraphile(pool, ["public", "bench_pg"], {
    pgSettings: (request) => ({ "app.producer_id": request.producerId }),
    disableQueryLog: true,
    graphiql: false,
    watchPg: false,
    ignoreRBAC: false,
    disableDefaultMutations: true,
    setofFunctionsContainNulls: false,
    legacyRelations: "omit",
    enableQueryBatching: false,
    extendedErrors: ["hint", "detail", "errcode"],
    retryOnInitFail: false,
  });

  const server = http.createServer((request, response) => {
    if (request.url === "/healthz") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"status":"ok"}');
      return;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization || "");
    const producerId = match ? producers.get(match[1]) : undefined;
    if (producerId === undefined) {
      response.writeHead(401, { "content-type": "application/json" });
      response.end('{"errors":[{"message":"A valid API key is required","extensions":{"code":"UNAUTHENTICATED"}}]}');
      return;
    }
    request.producerId = producerId;
    middleware(request, response);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1");
  const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
  const stopAll = () => {
    for (const worker of Object.values(cluster.workers)) worker.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  cluster.on("exit", () => {
    if (Object.keys(cluster.workers).length === 0) process.exit(0);
  });
  process.on("SIGTERM", stopAll);
  process.on("SIGINT", stopAll);
} else {
  serve();
}
