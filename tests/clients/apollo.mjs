// @apollo/client against a live gateway: `node apollo.mjs <url> <key> <post|get> <unique word>` (the word
// names the first query, so that no gateway knows its hash yet, and is the withdrawal's idempotency key).
// Automatic persisted queries through PersistedQueryLink (hashed queries by POST or GET), then the cache: the
// balances, and a withdrawal whose returned balance must update them there. Prints one JSON line: every
// request the link sent (method, whether it carried the query and the hash, its status) and what came back.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { createHash } from "node:crypto";

const [url, key, mode, unique] = process.argv.slice(2);
const requests = [];

async function recordingFetch(input, init = {}) {
  const address = new URL(typeof input === "string" ? input : input.url);
  const method = init.method ?? "GET";
  const body = typeof init.body === "string" ? JSON.parse(init.body) : null;
  const parameters = address.searchParams;
  const response = await fetch(input, init);
  requests.push({
    method,
    query: method === "GET" ? parameters.has("query") : Boolean(body?.query),
    hash: method === "GET" ? (parameters.get("extensions") ?? "").includes("sha256Hash")
      : Boolean(body?.extensions?.persistedQuery),
    status: response.status,
  });
  return response;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: mode === "get" }).concat(
  new HttpLink({ uri: url, fetch: recordingFetch, headers: { authorization: `Bearer ${key}` } }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const VIEWER = gql(`query Viewer${unique} { viewer { name } }`);
const first = await client.query({ query: VIEWER, fetchPolicy: "network-only" });
const second = await client.query({ query: VIEWER, fetchPolicy: "network-only" });

const BALANCES = gql`query Balances { balances { id currency available { amount } } }`;
const before = await client.query({ query: BALANCES, fetchPolicy: "network-only" });
const WITHDRAW = gql`
  mutation Withdraw($input: RequestWithdrawalInput!) {
    requestWithdrawal(input: $input) {
      withdrawal { id status }
      balance { id currency available { amount } }
      userErrors { code message }
    }
  }`;
const withdrawal = await client.mutate({
  mutation: WITHDRAW,
  variables: { input: { amount: "10.00", currency: "BRL", idempotencyKey: unique } },
});
const cached = client.readQuery({ query: BALANCES });
console.log(JSON.stringify({
  requests, first: first.data, second: second.data, before: before.data, withdrawal: withdrawal.data, cached,
}));
