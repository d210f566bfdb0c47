// graphql-inspector: the live schema (introspection, with a key) against an SDL file:
// `node inspector.mjs <url> <key> <schema.graphql>`. Prints one JSON line: every change found.
import { diff } from "@graphql-inspector/core";
import { buildClientSchema, buildSchema, getIntrospectionQuery } from "graphql";
import { readFileSync } from "node:fs";

const [url, key, file] = process.argv.slice(2);
const response = await fetch(url, {
  method: "POST",
  headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  body: JSON.stringify({ query: getIntrospectionQuery() }),
});
const introspection = await response.json();
if (!introspection.data) throw new Error(`introspection failed: ${JSON.stringify(introspection.errors)}`);
const live = buildClientSchema(introspection.data);
const exported = buildSchema(readFileSync(file, "utf8"));
const changes = await diff(exported, live);
console.log(JSON.stringify({ changes: changes.map(({ type, message, criticality }) => ({ type, message, level: criticality.level })) }));
