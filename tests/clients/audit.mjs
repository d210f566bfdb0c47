// The GraphQL-over-HTTP audit of graphql-http against a live gateway: `node audit.mjs <url> <key>`.
// Prints one JSON line: the results by status (ok, notice, warn, error), with each non-ok one's name and reason.
import { serverAudits } from "graphql-http";

const [url, key] = process.argv.slice(2);
const authorised = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};
const results = [];
for (const audit of serverAudits({ url, fetchFn: authorised })) {
  const result = await audit.fn();
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason ?? null });
}
const counts = {};
for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
console.log(JSON.stringify({ counts, problems: results.filter((r) => r.status !== "ok") }));
