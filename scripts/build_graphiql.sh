#!/usr/bin/env bash
# Rebuilds the self-hosted GraphiQL assets in gateway/http/static/graphiql/vendor/ and their licenses in
# gateway/http/static/graphiql/licenses/ from pinned npm packages. Run it by hand when upgrading GraphiQL and
# commit the result: neither the gateway nor CI needs npm. Needs Node.js and npm (npm registry access).
#
#   scripts/build_graphiql.sh
#
# graphiql's own UMD build (graphiql.min.js) is a webpack bundle that is not actually minified (3.5 MB);
# esbuild minifies it as is (no re-bundling), which takes it to about 1.5 MB (about 420 kB gzipped).
set -euo pipefail

GRAPHIQL=3.8.3
PLUGIN_EXPLORER=3.2.5   # the last release for @graphiql/react 0.28, the one graphiql 3.8.3 bundles
REACT=18.3.1            # GraphiQL 3 needs React 16.8-18; React 19 ships no UMD build
ESBUILD=0.25.12

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/gateway/http/static/graphiql"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/assets" "$work/tools"
(cd "$work/assets" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund --save-exact \
    "graphiql@$GRAPHIQL" "@graphiql/plugin-explorer@$PLUGIN_EXPLORER" "react@$REACT" "react-dom@$REACT" >/dev/null)
(cd "$work/tools" && npm init -y >/dev/null && npm install --no-audit --no-fund --save-exact "esbuild@$ESBUILD" >/dev/null)
esbuild="$work/tools/node_modules/.bin/esbuild"
modules="$work/assets/node_modules"

rm -rf "$out/vendor" "$out/licenses"
mkdir -p "$out/vendor" "$out/licenses"
cp "$modules/react/umd/react.production.min.js" "$out/vendor/react.production.min.js"
cp "$modules/react-dom/umd/react-dom.production.min.js" "$out/vendor/react-dom.production.min.js"
"$esbuild" "$modules/graphiql/graphiql.min.js" --minify --target=es2020 --legal-comments=eof \
    --log-level=warning --outfile="$out/vendor/graphiql.min.js"
"$esbuild" "$modules/graphiql/graphiql.min.css" --minify --legal-comments=eof \
    --log-level=warning --outfile="$out/vendor/graphiql.min.css"
cp "$modules/@graphiql/plugin-explorer/dist/index.umd.js" "$out/vendor/plugin-explorer.umd.js"
cp "$modules/@graphiql/plugin-explorer/dist/style.css" "$out/vendor/plugin-explorer.css"

# The licenses: the shipped packages' own files, and every package of their dependency tree (what the
# bundles contain is a subset of it), with the text of its license file.
cp "$modules/graphiql/LICENSE" "$out/licenses/graphiql.LICENSE"
cp "$modules/react/LICENSE" "$out/licenses/react.LICENSE"
cp "$modules/react-dom/LICENSE" "$out/licenses/react-dom.LICENSE"
# @graphiql/plugin-explorer's package has no LICENSE file: it is MIT, in the graphiql repository (same text)
cp "$modules/graphiql/LICENSE" "$out/licenses/graphiql-plugin-explorer.LICENSE"
node - "$modules" "$out/licenses/THIRD_PARTY_LICENSES.txt" <<'JS'
const fs = require("fs");
const path = require("path");
const [modules, target] = process.argv.slice(2);
const found = new Map();
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === ".bin") continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith("@")) { walk(full); continue; }
    const manifest = path.join(full, "package.json");
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, "utf8"));
      const file = fs.readdirSync(full).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
      const text = file ? fs.readFileSync(path.join(full, file), "utf8").trim() : "(no license file in the package)";
      found.set(`${pkg.name}@${pkg.version}`, `${pkg.name}@${pkg.version} (${pkg.license || "see text"})\n\n${text}`);
    }
    if (fs.existsSync(path.join(full, "node_modules"))) walk(path.join(full, "node_modules"));
  }
}
walk(modules);
const names = [...found.keys()].sort();
const header = "Licenses of the npm packages from which gateway/http/static/graphiql/vendor/ was built\n" +
  "(graphiql, @graphiql/plugin-explorer, react, react-dom and their dependency tree).\n";
fs.writeFileSync(target, header + "\n" + names.map((name) => "=".repeat(78) + "\n" + found.get(name)).join("\n\n") + "\n");
JS

(cd "$out/vendor" && sha256sum -- * > "$out/licenses/SHA256SUMS" && wc -c -- * | sed 's/^/  /')
