// Boots the self-hosted GraphiQL (React, GraphiQL and the explorer plugin are loaded before this file).
// The API key is pasted in the Headers editor. It is kept in sessionStorage (this browser tab only, the
// same entry the dashboard uses) so that every example tab and a reload can use it; it is never put in
// the URL and GraphiQL is told not to persist headers.
(function () {
  "use strict";

  var KEY_ENTRY = "sales-gateway.api-key";
  var PLACEHOLDER = "PASTE-YOUR-API-KEY-HERE";
  var endpoint = window.location.pathname; // this page is served by GET /graphql itself
  var root = document.getElementById("graphiql");

  function storedKey() {
    try {
      return window.sessionStorage.getItem(KEY_ENTRY) || "";
    } catch (error) {
      return "";
    }
  }

  function storeKey(key) {
    try {
      window.sessionStorage.setItem(KEY_ENTRY, key);
    } catch (error) {
      // storage may be disabled; the key then only lives in the headers editor
    }
  }

  // The key of an `Authorization: Bearer <key>` header, or "" when missing or still the placeholder.
  function keyOf(headers) {
    if (!headers || typeof headers !== "object") return "";
    var value = "";
    Object.keys(headers).forEach(function (name) {
      if (name.toLowerCase() === "authorization") value = String(headers[name] || "");
    });
    var match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
    return match && match[1] !== PLACEHOLDER ? match[1] : "";
  }

  function parseHeaders(text) {
    try {
      var parsed = JSON.parse(text || "{}");
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
    } catch (error) {
      return {};
    }
  }

  function headersText(key) {
    return JSON.stringify({ Authorization: "Bearer " + (key || PLACEHOLDER) }, null, 2);
  }

  // POST the operation as JSON with the tab's headers; a tab without a real key uses the remembered one.
  function makeFetcher(generation) {
    var fetcher = function (params, options) {
      var headers = { "Content-Type": "application/json", Accept: "application/json" };
      var own = (options && options.headers) || {};
      Object.keys(own).forEach(function (name) {
        if (name.toLowerCase() !== "authorization") headers[name] = String(own[name]);
      });
      var key = keyOf(own) || storedKey();
      if (!key) {
        // the gateway would answer 401; say what to do instead of asking it
        return Promise.resolve({
          errors: [
            {
              message: "No API key yet: paste it in the Headers editor below, after Bearer.",
              extensions: { code: "UNAUTHENTICATED" },
            },
          ],
        });
      }
      headers.Authorization = "Bearer " + key;
      params = withOperationName(params);
      return window
        .fetch(endpoint, {
          method: "POST",
          headers: headers,
          body: JSON.stringify(params),
          credentials: "omit",
          cache: "no-store",
        })
        .then(function (response) {
          return response.json();
        });
    };
    fetcher.generation = generation;
    return fetcher;
  }

  // GraphiQL 3 may keep the operation name of the previous tab after a tab switch; the gateway rightly
  // refuses a name the document does not have. A document of one operation runs that one.
  function withOperationName(params) {
    if (!params.operationName) return params;
    var names = [];
    try {
      window.GraphiQL.GraphQL.parse(params.query).definitions.forEach(function (definition) {
        if (definition.kind === "OperationDefinition") names.push(definition.name ? definition.name.value : null);
      });
    } catch (error) {
      return params; // a syntax error: the gateway says where
    }
    if (names.indexOf(params.operationName) >= 0) return params;
    var fixed = Object.assign({}, params);
    if (names.length === 1 && names[0]) fixed.operationName = names[0];
    else delete fixed.operationName;
    return fixed;
  }

  function isoDay(date) {
    var month = String(date.getMonth() + 1).padStart(2, "0");
    var day = String(date.getDate()).padStart(2, "0");
    return date.getFullYear() + "-" + month + "-" + day;
  }

  function last30Days() {
    var today = new Date();
    var first = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29);
    return { from: isoDay(first), to: isoDay(today) };
  }

  function variablesText(variables) {
    if (!variables) return undefined;
    var filled = {};
    Object.keys(variables).forEach(function (name) {
      filled[name] = variables[name] === "LAST_30_DAYS" ? last30Days() : variables[name];
    });
    return JSON.stringify(filled, null, 2);
  }

  function render(examples) {
    var generation = 0;
    var fetcher = makeFetcher(generation);
    var pending = null;
    var explorer = window.GraphiQLPluginExplorer.explorerPlugin({ showAttribution: false });
    var tabs = examples.map(function (example) {
      return {
        query: example.query,
        variables: variablesText(example.variables),
        headers: headersText(storedKey()),
      };
    });
    var reactRoot = window.ReactDOM.createRoot(root);

    function draw() {
      reactRoot.render(
        window.React.createElement(window.GraphiQL, {
          fetcher: fetcher,
          defaultTabs: tabs,
          defaultHeaders: headersText(storedKey()),
          defaultEditorToolsVisibility: "headers",
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: false,
          plugins: [explorer],
          visiblePlugin: explorer,
          onEditHeaders: onEditHeaders,
        })
      );
    }

    // A newly pasted key is remembered, and the schema is fetched again with it (a new fetcher makes
    // GraphiQL introspect again): before a key, the docs and the explorer show the 401 answer.
    function onEditHeaders(text) {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        var key = keyOf(parseHeaders(text));
        if (key && key !== storedKey()) {
          storeKey(key);
          generation += 1;
          fetcher = makeFetcher(generation);
          draw();
        }
      }, 300);
    }

    draw();
  }

  window
    .fetch("static/graphiql/examples.json", { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) throw new Error("examples.json: HTTP " + response.status);
      return response.json();
    })
    .then(function (document) {
      render(document.examples);
    })
    .catch(function (error) {
      root.textContent = "GraphiQL could not start: " + error.message;
    });
})();
