// graphql-codegen for the sales gateway: TypeScript types of the schema and of your operations, with every
// custom scalar mapped (strictScalars: an unmapped one is an error, not `unknown`).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: process.env.SCHEMA ?? "schema.graphql",
  documents: process.env.DOCUMENTS ?? "src/**/*.graphql",
  generates: {
    [process.env.OUTPUT ?? "src/gql/types.ts"]: {
      plugins: ["typescript-operations"],
      config: {
        strictScalars: true,
        scalars: {
          Date: "string", // "2026-11-30"
          DateTime: "string", // "2026-11-30T22:00:00-03:00"
          Decimal: "string", // "1234.50": never a float
          JSON: "Record<string, string>", // an event's payload: field names to strings
        },
        enumsAsTypes: true,
      },
    },
  },
};
export default config;
