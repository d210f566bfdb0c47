// Written against the types graphql-codegen makes from the GraphiQL examples (tests/clients/codegen.ts): tsc --strict
// must accept it, with every scalar a real type (Decimal, Date and DateTime as strings).
import type { BalanceQuery, MySalesQuery } from "./types";

export function newestCode(data: MySalesQuery): string | undefined {
  return data.sales?.nodes[0]?.transactionCode;
}

export function availableAmounts(data: BalanceQuery): string[] {
  return (data.balances ?? []).map((balance) => balance.available.amount);
}

export function createdDays(data: MySalesQuery): string[] {
  return (data.sales?.nodes ?? []).map((sale) => sale.createdAt.slice(0, 10));
}
