// graphql-ws (the reference graphql-transport-ws client) against a live gateway:
// `node feed.mjs <url> <key> <how many> [<the id of the last event seen>]`. Subscribes to `sale.created` events
// after that event (or from now on), prints `connected` once the server acknowledged the connection, then one
// JSON line with the first <how many> events it received, and exits.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, key, howMany, after] = process.argv.slice(2);
const wanted = Number(howMany);
const events = [];

const client = createClient({
  url: url.replace(/^http/, "ws") + "/graphql",
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${key}` },
  retryAttempts: 0,
  on: { connected: () => console.log("connected") },
});

await new Promise((resolve, reject) => {
  const stop = client.subscribe(
    {
      query: `subscription ($after: ID) {
        events(types: ["sale.created"], after: $after) { id type objectId payload }
      }`,
      variables: { after: after ?? null },
    },
    {
      next: ({ data, errors }) => {
        if (errors) return reject(new Error(JSON.stringify(errors)));
        events.push(data.events);
        if (events.length === wanted) {
          stop();
          resolve();
        }
      },
      error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
      complete: () => resolve(),
    },
  );
});
await client.dispose();
console.log(JSON.stringify({ events }));
