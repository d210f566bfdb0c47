// The Sales Management dashboard: one GraphQL query for the whole screen, rendered with plain DOM.
// The API key is pasted by the user and kept in sessionStorage (this browser tab only), never in the URL.
// Money comes as decimal strings with a currency; amounts of different currencies are never added.
(function () {
  "use strict";

  var KEY_ENTRY = "sales-gateway.api-key";
  var ENDPOINT = "graphql";
  var SVG = "http://www.w3.org/2000/svg";
  var CHART_DAYS = 30;

  var MONEY = "{ amount currency }";
  var DASHBOARD_QUERY = [
    "query Dashboard($from: Date!, $to: Date!) {",
    "  viewer { name timeZone defaultCurrency }",
    "  salesManagement {",
    "    period { from to }",
    "    asOf",
    "    sales { currency count grossRevenue " + MONEY + " netRevenue " + MONEY + " }",
    "    lostSales { count recoveredCount potentialRevenue " + MONEY + " }",
    "  }",
    "  allSales: sales { totalCount }",
    "  openLostSales: lostSales(filter: { recovered: false }) { totalCount }",
    "  recoveredLostSales: lostSales(filter: { recovered: true }) { totalCount }",
    "  balances { currency available " + MONEY + " total " + MONEY + " }",
    "  receipts { totalCount }",
    "  pendingReceipts: receipts(filter: { status: [PENDING] }) { totalCount }",
    "  refunds { totalCount }",
    "  requestedRefunds: refunds(filter: { status: [REQUESTED] }) { totalCount }",
    "  subscriptionSummary { active new cancelled monthlyRecurringRevenue " + MONEY + " }",
    "  strategies { code title priority }",
    "  affiliations { totalCount }",
    "  pendingAffiliations: affiliations(filter: { status: [PENDING] }) { totalCount }",
    "  reports {",
    "    revenueOverTime(period: { from: $from, to: $to }, bucket: DAY) { start sales grossRevenue " + MONEY + " }",
    "  }",
    "}",
  ].join("\n");

  var LOST_SALES_QUERY = [
    "query LostSalesList($after: String) {",
    "  lostSales(first: 20, after: $after, filter: { recovered: false }) {",
    "    totalCount",
    "    pageInfo { hasNextPage endCursor }",
    "    nodes { reason createdAt product { name } buyer { name email } potentialRevenue " + MONEY + " }",
    "  }",
    "}",
  ].join("\n");

  // the live feed: any change to the producer's data (graphql-transport-ws on this same /graphql)
  var LIVE_QUERY = "subscription Live($after: ID) { events(after: $after) { id type } }";
  var LIVE_RELOAD_MS = 1000; // changes in a burst load the board once
  var LIVE_RETRY_MAX_MS = 30000;

  var $ = function (id) {
    return document.getElementById(id);
  };
  var state = { data: null, chartCurrency: null, lostCursor: null };

  // ---- key and requests -------------------------------------------------------------------------

  function storedKey() {
    try {
      return window.sessionStorage.getItem(KEY_ENTRY) || "";
    } catch (error) {
      return "";
    }
  }

  function storeKey(key) {
    try {
      if (key) window.sessionStorage.setItem(KEY_ENTRY, key);
      else window.sessionStorage.removeItem(KEY_ENTRY);
    } catch (error) {
      // storage disabled: the key is asked again on the next load
    }
  }

  function GraphQLFailure(message, code) {
    this.message = message;
    this.code = code;
  }

  function graphql(query, variables) {
    return window
      .fetch(ENDPOINT, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          Authorization: "Bearer " + storedKey(),
        },
        body: JSON.stringify({ query: query, variables: variables }),
        credentials: "omit",
        cache: "no-store",
      })
      .then(function (response) {
        return response.json().then(
          function (body) {
            if (response.status !== 200) {
              var error = (body.errors && body.errors[0]) || {};
              throw new GraphQLFailure(error.message || "HTTP " + response.status, errorCode(error));
            }
            return body;
          },
          function () {
            throw new GraphQLFailure("The gateway answered HTTP " + response.status, "INTERNAL");
          }
        );
      });
  }

  function errorCode(error) {
    return (error && error.extensions && error.extensions.code) || "INTERNAL";
  }

  // The error (if any) reported at a root field: a FORBIDDEN one blanks only that field's card.
  function errorAt(body, field) {
    var found = null;
    (body.errors || []).forEach(function (error) {
      if (!found && error.path && error.path[0] === field) found = error;
    });
    return found;
  }

  // ---- formatting -------------------------------------------------------------------------------

  var numberFormat = new Intl.NumberFormat();

  function money(value) {
    try {
      // a string is formatted exactly (no float rounding) by Intl.NumberFormat
      return new Intl.NumberFormat(undefined, { style: "currency", currency: value.currency }).format(value.amount);
    } catch (error) {
      return value.currency + " " + value.amount;
    }
  }

  function compactMoney(amount, currency) {
    try {
      return new Intl.NumberFormat(undefined, {
        style: "currency",
        currency: currency,
        notation: "compact",
        maximumFractionDigits: 1,
      }).format(amount);
    } catch (error) {
      return String(amount);
    }
  }

  function day(iso, options) {
    var parts = iso.split("-").map(Number);
    var date = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    return new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: "UTC" }, options)).format(date);
  }

  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  function addDays(iso, days) {
    var parts = iso.split("-").map(Number);
    return isoDay(new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + days)));
  }

  function plural(count, one, many) {
    return numberFormat.format(count) + " " + (count === 1 ? one : many);
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") node.textContent = attributes[name];
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function moneyNode(value, testid) {
    return el("span", {
      class: "money",
      "data-testid": testid,
      "data-amount": value.amount,
      "data-currency": value.currency,
      text: money(value),
    });
  }

  // ---- screens ----------------------------------------------------------------------------------

  function show(screen) {
    document.body.setAttribute("data-state", screen);
    $("key-panel").hidden = screen !== "key";
    $("board").hidden = screen !== "ready";
    $("session").hidden = screen === "key";
  }

  function banner(text) {
    $("banner").textContent = text || "";
    $("banner").hidden = !text;
  }

  function askForKey(message) {
    disconnectLive();
    storeKey("");
    state.data = null;
    $("who").hidden = true;
    $("key-message").textContent = message || "";
    $("key-message").hidden = !message;
    banner("");
    show("key");
    $("key-input").value = "";
    $("key-input").focus();
  }

  function load() {
    if (!storedKey()) {
      askForKey("");
      return;
    }
    // Ask for a few days around "today" in the browser's calendar: the producer's "today" (in their time
    // zone) is within them, and the chart keeps the 30 days ending on salesManagement.period.to.
    var today = isoDay(new Date());
    var variables = { from: addDays(today, -(CHART_DAYS + 1)), to: addDays(today, 2) };
    document.body.setAttribute("data-state", "loading");
    $("refresh").disabled = true;
    graphql(DASHBOARD_QUERY, variables)
      .then(function (body) {
        if (!body.data) {
          var error = (body.errors && body.errors[0]) || {};
          throw new GraphQLFailure(error.message || "No data", errorCode(error));
        }
        state.data = body;
        banner("");
        show("ready"); // first, so that the chart can measure its width
        render(body);
        connectLive();
      })
      .catch(function (error) {
        if (error instanceof GraphQLFailure && error.code === "UNAUTHENTICATED") {
          askForKey("This key was not accepted. Check that it was pasted whole and has not been revoked.");
          return;
        }
        banner("The dashboard could not load: " + error.message);
        show(state.data ? "ready" : "error");
      })
      .then(function () {
        $("refresh").disabled = false;
      });
  }

  // ---- rendering --------------------------------------------------------------------------------

  function render(body) {
    var data = body.data;
    var viewer = data.viewer;
    $("who").textContent = viewer.name + " · " + viewer.timeZone;
    $("who").hidden = false;
    renderOverview(body);
    renderChart(body);
    renderCards(body);
    $("lost-sales-list").hidden = true;
  }

  function renderOverview(body) {
    var card = body.data.salesManagement;
    var rows = $("sales");
    rows.textContent = "";
    $("sales-forbidden").hidden = !!card;
    $("empty").hidden = true;
    $("lost").hidden = !card;
    if (!card) {
      $("period").textContent = "";
      $("as-of").textContent = "";
      return;
    }
    $("period").textContent =
      day(card.period.from, { day: "numeric", month: "short" }) +
      " – " +
      day(card.period.to, { day: "numeric", month: "short", year: "numeric" });
    $("period").setAttribute("data-from", card.period.from);
    $("period").setAttribute("data-to", card.period.to);
    $("as-of").textContent =
      "as of " + new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(new Date(card.asOf));
    $("empty").hidden = card.sales.length > 0;
    card.sales.forEach(function (row) {
      rows.appendChild(
        el("div", { class: "currency-row", "data-testid": "sales-row", "data-currency": row.currency }, [
          el("span", { class: "currency-tag", text: row.currency }),
          figure("Sales", el("span", { "data-testid": "sales-count", text: numberFormat.format(row.count) })),
          figure("Gross revenue", moneyNode(row.grossRevenue, "gross-revenue")),
          figure("Net revenue", moneyNode(row.netRevenue, "net-revenue"), "after fees, taxes and commissions"),
        ])
      );
    });
    var lost = card.lostSales;
    $("lost-count").textContent = numberFormat.format(lost.count);
    $("lost-count").setAttribute("data-count", String(lost.count));
    var detail = $("lost-detail");
    detail.textContent = "";
    detail.appendChild(
      el("span", {
        "data-testid": "lost-sales-recovered",
        "data-count": String(lost.recoveredCount),
        text: numberFormat.format(lost.recoveredCount) + " recovered",
      })
    );
    if (lost.potentialRevenue.length) {
      detail.appendChild(document.createTextNode(" · still to recover: "));
      detail.appendChild(
        joinNodes(
          lost.potentialRevenue.map(function (value) {
            return moneyNode(value, "lost-potential");
          })
        )
      );
    }
  }

  function figure(label, value, hint) {
    return el("div", { class: "figure" }, [
      el("span", { class: "figure-label", text: label }),
      el("span", { class: "figure-value" }, [value]),
      hint ? el("span", { class: "figure-hint", text: hint }) : null,
    ]);
  }

  // The 30 days ending on the producer's today, per currency (the API gives one point per day and currency).
  function chartSeries(body) {
    var reports = body.data.reports;
    var card = body.data.salesManagement;
    if (!reports) return null;
    var last = card ? card.period.to : isoDay(new Date());
    var first = addDays(last, -(CHART_DAYS - 1));
    var series = {};
    reports.revenueOverTime.forEach(function (point) {
      if (point.start < first || point.start > last) return;
      var currency = point.grossRevenue.currency;
      (series[currency] = series[currency] || {})[point.start] = point;
    });
    // the wider request may bring a currency sold only outside the 30 days: it gets no chart
    Object.keys(series).forEach(function (currency) {
      var sold = Object.keys(series[currency]).some(function (date) {
        return series[currency][date].sales > 0;
      });
      if (!sold) delete series[currency];
    });
    var days = [];
    for (var i = 0; i < CHART_DAYS; i += 1) days.push(addDays(first, i));
    return { days: days, byCurrency: series };
  }

  function renderChart(body) {
    var chart = $("chart");
    var switcher = $("chart-currencies");
    chart.textContent = "";
    switcher.textContent = "";
    $("chart-caption").textContent = "";
    var series = chartSeries(body);
    if (!series) {
      chart.appendChild(el("p", { class: "notice", "data-testid": "chart-forbidden", text: notAllowed("reports:read") }));
      return;
    }
    var currencies = Object.keys(series.byCurrency).sort();
    if (currencies.length === 0) {
      chart.appendChild(el("p", { class: "chart-empty", text: "No sales in the last 30 days." }));
      return;
    }
    var preferred = body.data.viewer.defaultCurrency;
    if (currencies.indexOf(state.chartCurrency) < 0) {
      state.chartCurrency = currencies.indexOf(preferred) >= 0 ? preferred : currencies[0];
    }
    if (currencies.length > 1) {
      currencies.forEach(function (currency) {
        var button = el("button", {
          type: "button",
          class: "chip" + (currency === state.chartCurrency ? " chip-on" : ""),
          "aria-pressed": String(currency === state.chartCurrency),
          "data-testid": "chart-currency",
          text: currency,
        });
        button.addEventListener("click", function () {
          state.chartCurrency = currency;
          renderChart(state.data);
        });
        switcher.appendChild(button);
      });
    }
    drawBars(chart, series.days, series.byCurrency[state.chartCurrency], state.chartCurrency);
  }

  function drawBars(container, days, points, currency) {
    // drawn at the container's own width, so that the labels keep their CSS size
    var width = Math.max(480, Math.round(container.clientWidth || 760));
    var height = 260;
    var left = 64;
    var right = 12;
    var top = 12;
    var bottom = 28;
    var values = days.map(function (date) {
      var point = points[date];
      return point ? Number(point.grossRevenue.amount) : 0; // for the bar's height only
    });
    var max = Math.max.apply(null, values.concat([0]));
    var scaleMax = niceCeiling(max);
    var plotWidth = width - left - right;
    var plotHeight = height - top - bottom;
    var step = plotWidth / days.length;
    var svg = document.createElementNS(SVG, "svg");
    attributes(svg, {
      viewBox: "0 0 " + width + " " + height,
      class: "chart-svg",
      role: "img",
      "aria-label": "Gross revenue per day in " + currency + ", last " + days.length + " days",
    });
    for (var tick = 0; tick <= 4; tick += 1) {
      var value = (scaleMax * tick) / 4;
      var y = top + plotHeight - (plotHeight * tick) / 4;
      svg.appendChild(svgNode("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }));
      var label = svgNode("text", { x: left - 8, y: y + 4, class: "axis axis-y" });
      label.textContent = compactMoney(value, currency);
      svg.appendChild(label);
    }
    var totalSales = 0;
    var totalCents = 0n;
    days.forEach(function (date, index) {
      var point = points[date];
      var amount = point ? point.grossRevenue.amount : "0.00";
      var sales = point ? point.sales : 0;
      totalSales += sales;
      totalCents += cents(amount);
      var barHeight = scaleMax > 0 ? (plotHeight * values[index]) / scaleMax : 0;
      var bar = svgNode("rect", {
        x: (left + index * step + step * 0.15).toFixed(2),
        y: (top + plotHeight - barHeight).toFixed(2),
        width: (step * 0.7).toFixed(2),
        height: Math.max(barHeight, values[index] > 0 ? 1 : 0).toFixed(2),
        rx: 2,
        class: "bar",
        "data-testid": "chart-bar",
        "data-day": date,
        "data-amount": amount,
        "data-sales": String(sales),
      });
      var title = svgNode("title", {});
      title.textContent =
        day(date, { weekday: "short", day: "numeric", month: "short" }) +
        ": " +
        money({ amount: amount, currency: currency }) +
        " · " +
        plural(sales, "sale", "sales");
      bar.appendChild(title);
      svg.appendChild(bar);
      if (index % 5 === 0 || index === days.length - 1) {
        var x = svgNode("text", { x: (left + index * step + step / 2).toFixed(2), y: height - 8, class: "axis axis-x" });
        x.textContent = day(date, { day: "numeric", month: "short" });
        svg.appendChild(x);
      }
    });
    container.appendChild(svg);
    var caption = $("chart-caption");
    caption.textContent = "";
    caption.appendChild(document.createTextNode("Gross revenue per day, last " + days.length + " days: "));
    caption.appendChild(moneyNode({ amount: fromCents(totalCents), currency: currency }, "chart-total"));
    caption.appendChild(document.createTextNode(" from " + plural(totalSales, "sale", "sales") + " in " + currency + "."));
  }

  // Exact sums of decimal strings of one currency, in cents (BigInt): never floats for money shown as text.
  function cents(amount) {
    var negative = amount.charAt(0) === "-";
    var parts = amount.replace("-", "").split(".");
    var fraction = ((parts[1] || "") + "00").slice(0, 2);
    var value = BigInt(parts[0] || "0") * 100n + BigInt(fraction);
    return negative ? -value : value;
  }

  function fromCents(value) {
    var negative = value < 0n;
    var absolute = negative ? -value : value;
    var text = (absolute / 100n).toString() + "." + (absolute % 100n).toString().padStart(2, "0");
    return (negative ? "-" : "") + text;
  }

  function niceCeiling(value) {
    if (value <= 0) return 1;
    var magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i] * magnitude >= value) return steps[i] * magnitude;
    }
    return 10 * magnitude;
  }

  function svgNode(tag, values) {
    return attributes(document.createElementNS(SVG, tag), values);
  }

  function attributes(node, values) {
    Object.keys(values).forEach(function (name) {
      node.setAttribute(name, String(values[name]));
    });
    return node;
  }

  function notAllowed(scope) {
    return "Not allowed with this key (needs " + scope + ").";
  }

  // ---- section cards ----------------------------------------------------------------------------

  function renderCards(body) {
    var data = body.data;
    var cards = $("cards");
    cards.textContent = "";
    var madeLast7 = data.salesManagement
      ? data.salesManagement.sales.reduce(function (sum, row) {
          return sum + row.count;
        }, 0)
      : null;
    var series = chartSeries(body);

    var sections = [
      {
        id: "my-sales",
        title: "My Sales",
        fields: ["allSales"],
        scope: "sales:read",
        figure: function () {
          return count(data.allSales.totalCount, "sale", "sales", "in total");
        },
        detail: function () {
          return madeLast7 === null ? [] : [plural(madeLast7, "sale", "sales") + " made in the last 7 days"];
        },
      },
      {
        id: "balance",
        title: "Balance",
        fields: ["balances"],
        scope: "finance:read",
        figure: function () {
          if (data.balances.length === 0) return [el("span", { class: "figure-none", text: "No balance yet" })];
          return data.balances.map(function (balance) {
            return el("span", { class: "figure-main figure-money" }, [moneyNode(balance.available, "balance-available")]);
          });
        },
        detail: function () {
          return data.balances.length
            ? [
                "available now · total ",
                joinNodes(
                  data.balances.map(function (balance) {
                    return moneyNode(balance.total, "balance-total");
                  })
                ),
              ]
            : [];
        },
      },
      {
        id: "receipts",
        title: "Receipts",
        fields: ["receipts", "pendingReceipts"],
        scope: "finance:read",
        figure: function () {
          return count(data.pendingReceipts.totalCount, "pending", "pending");
        },
        detail: function () {
          return [plural(data.receipts.totalCount, "receipt", "receipts") + " in total"];
        },
      },
      {
        id: "refunds",
        title: "Refunds",
        fields: ["refunds", "requestedRefunds"],
        scope: "refunds:read",
        figure: function () {
          return count(data.requestedRefunds.totalCount, "to decide", "to decide");
        },
        detail: function () {
          return [plural(data.refunds.totalCount, "refund", "refunds") + " in total"];
        },
      },
      {
        id: "subscriptions",
        title: "Subscriptions",
        fields: ["subscriptionSummary"],
        scope: "subscriptions:read",
        figure: function () {
          return count(data.subscriptionSummary.active, "active", "active");
        },
        detail: function () {
          var summary = data.subscriptionSummary;
          var parts = [summary.new + " new · " + summary.cancelled + " cancelled in 7 days"];
          if (summary.monthlyRecurringRevenue.length) {
            parts.push(" · MRR ");
            parts.push(
              joinNodes(
                summary.monthlyRecurringRevenue.map(function (value) {
                  return moneyNode(value, "mrr");
                })
              )
            );
          }
          return parts;
        },
      },
      {
        id: "strategies",
        title: "Strategies",
        fields: ["strategies"],
        scope: "reports:read",
        figure: function () {
          return count(data.strategies.length, "recommendation", "recommendations");
        },
        detail: function () {
          return data.strategies.length ? ["Top: " + data.strategies[0].title] : ["Nothing to act on now"];
        },
      },
      {
        id: "affiliations",
        title: "Affiliations",
        fields: ["affiliations", "pendingAffiliations"],
        scope: "affiliations:read",
        figure: function () {
          return count(data.pendingAffiliations.totalCount, "to approve", "to approve");
        },
        detail: function () {
          return [plural(data.affiliations.totalCount, "affiliation", "affiliations") + " in total"];
        },
      },
      {
        id: "reports",
        title: "Reports",
        fields: ["reports"],
        scope: "reports:read",
        figure: function () {
          var made = 0;
          Object.keys(series.byCurrency).forEach(function (currency) {
            Object.keys(series.byCurrency[currency]).forEach(function (date) {
              made += series.byCurrency[currency][date].sales;
            });
          });
          return count(made, "sale", "sales", "in 30 days");
        },
        detail: function () {
          var totals = Object.keys(series.byCurrency)
            .sort()
            .map(function (currency) {
              var sum = 0n;
              Object.keys(series.byCurrency[currency]).forEach(function (date) {
                sum += cents(series.byCurrency[currency][date].grossRevenue.amount);
              });
              return moneyNode({ amount: fromCents(sum), currency: currency }, "reports-gross");
            });
          return totals.length ? ["gross ", joinNodes(totals)] : ["No sales in 30 days"];
        },
      },
      {
        id: "recover-sales",
        title: "Recover sales",
        fields: ["openLostSales", "recoveredLostSales"],
        scope: "sales:read",
        figure: function () {
          return count(data.openLostSales.totalCount, "to recover", "to recover");
        },
        detail: function () {
          return [plural(data.recoveredLostSales.totalCount, "sale", "sales") + " recovered so far"];
        },
      },
    ];

    sections.forEach(function (section) {
      var card = el("article", { class: "card", "data-testid": "card-" + section.id });
      card.appendChild(el("h3", { class: "card-title", text: section.title }));
      var problem = null;
      section.fields.forEach(function (field) {
        problem = problem || errorAt(body, field) || (data[field] === null ? {} : null);
      });
      if (problem) {
        var forbidden = errorCode(problem) === "FORBIDDEN";
        card.setAttribute("data-state", forbidden ? "forbidden" : "error");
        card.appendChild(
          el("p", {
            class: "card-notice",
            "data-testid": "card-notice",
            text: forbidden ? notAllowed(section.scope) : "Could not load: " + (problem.message || "no data"),
          })
        );
      } else {
        card.setAttribute("data-state", "ready");
        var main = el("div", { class: "card-figure", "data-testid": "figure" }, section.figure());
        card.appendChild(main);
        card.appendChild(el("p", { class: "card-detail", "data-testid": "detail" }, section.detail()));
      }
      cards.appendChild(card);
    });
  }

  function count(value, one, many, suffix) {
    return [
      el("span", { class: "figure-main", "data-value": String(value), text: numberFormat.format(value) }),
      el("span", { class: "figure-unit", text: " " + (value === 1 ? one : many) + (suffix ? " " + suffix : "") }),
    ];
  }

  function joinNodes(nodes) {
    var span = el("span", {});
    nodes.forEach(function (node, index) {
      if (index) span.appendChild(document.createTextNode(" · "));
      span.appendChild(node);
    });
    return span;
  }

  // ---- lost sales list --------------------------------------------------------------------------

  var REASONS = {
    ABANDONED_CHECKOUT: "Abandoned checkout",
    CARD_DECLINED: "Card declined",
    INSUFFICIENT_FUNDS: "Insufficient funds",
    BILLET_EXPIRED: "Billet expired",
    PIX_EXPIRED: "Pix expired",
    CANCELLED_BY_BUYER: "Cancelled by the buyer",
    FRAUD_SUSPECTED: "Fraud suspected",
  };

  function loadLostSales(reset) {
    var list = $("lost-sales-list");
    if (reset) {
      state.lostCursor = null;
      $("lost-rows").textContent = "";
    }
    list.hidden = false;
    list.setAttribute("data-state", "loading");
    $("lost-more").hidden = true;
    graphql(LOST_SALES_QUERY, { after: state.lostCursor })
      .then(function (body) {
        var error = errorAt(body, "lostSales");
        if (error || !body.data || !body.data.lostSales) {
          throw new GraphQLFailure(
            errorCode(error) === "FORBIDDEN" ? notAllowed("sales:read") : (error && error.message) || "No data",
            errorCode(error)
          );
        }
        var page = body.data.lostSales;
        $("lost-list-total").textContent = plural(page.totalCount, "lost sale", "lost sales");
        page.nodes.forEach(function (lost) {
          $("lost-rows").appendChild(
            el("tr", { "data-testid": "lost-sale-row" }, [
              el("td", {
                text: new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(
                  new Date(lost.createdAt)
                ),
              }),
              el("td", { text: REASONS[lost.reason] || lost.reason }),
              el("td", { text: lost.product.name }),
              el("td", {}, [lost.buyer.name, el("span", { class: "muted", text: " " + lost.buyer.email })]),
              el("td", { class: "number" }, [moneyNode(lost.potentialRevenue, "lost-sale-amount")]),
            ])
          );
        });
        state.lostCursor = page.pageInfo.endCursor;
        $("lost-more").hidden = !page.pageInfo.hasNextPage;
        list.setAttribute("data-state", "ready");
      })
      .catch(function (error) {
        list.setAttribute("data-state", "error");
        $("lost-rows").appendChild(el("tr", {}, [el("td", { colspan: "5", text: error.message })]));
      });
  }

  // ---- live updates -------------------------------------------------------------------------------
  // The board loads again (at most once a second) whenever the live feed says the producer's data changed;
  // the header says whether it is live. A dropped connection is opened again, with the id of the last event
  // seen, so that a change made meanwhile is not missed.

  var live = { socket: null, key: null, after: null, retries: 0, reload: null, retry: null };

  function liveStatus(text, liveState) {
    $("live").textContent = text;
    $("live").setAttribute("data-state", liveState);
  }

  function connectLive() {
    var key = storedKey();
    if (!key || !window.WebSocket || (live.socket && live.key === key)) return;
    disconnectLive();
    live.key = key;
    var url = window.location.origin.replace(/^http/, "ws") + window.location.pathname.replace(/[^/]*$/, "") + ENDPOINT;
    var socket = new WebSocket(url, "graphql-transport-ws");
    live.socket = socket;
    socket.addEventListener("open", function () {
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: "Bearer " + key } }));
    });
    socket.addEventListener("message", function (message) {
      var data = JSON.parse(message.data);
      if (data.type === "connection_ack") {
        live.retries = 0;
        liveStatus("Live", "live");
        var subscribe = { query: LIVE_QUERY, variables: { after: live.after } };
        socket.send(JSON.stringify({ id: "live", type: "subscribe", payload: subscribe }));
      } else if (data.type === "next" && data.payload && data.payload.data) {
        live.after = data.payload.data.events.id;
        reloadSoon();
      } else if (data.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      }
    });
    socket.addEventListener("close", function (event) {
      if (live.socket !== socket) return; // closed on purpose
      live.socket = null;
      if (event.code === 4403) {
        liveStatus("Not live: the key was not accepted", "off");
        return;
      }
      liveStatus("Disconnected: reconnecting…", "off");
      var wait = Math.min(LIVE_RETRY_MAX_MS, 1000 * Math.pow(2, live.retries++));
      live.retry = window.setTimeout(connectLive, wait);
    });
  }

  function disconnectLive() {
    window.clearTimeout(live.retry);
    var socket = live.socket;
    live.socket = null;
    live.key = null;
    live.after = null;
    if (socket) socket.close(1000);
    liveStatus("", "off");
  }

  function reloadSoon() {
    if (live.reload) return;
    live.reload = window.setTimeout(function () {
      live.reload = null;
      load();
    }, LIVE_RELOAD_MS);
  }

  // ---- wiring -----------------------------------------------------------------------------------

  function start() {
    $("key-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var key = $("key-input").value.trim().replace(/^Bearer\s+/i, "");
      if (!key) return;
      storeKey(key);
      $("key-input").value = "";
      $("key-message").hidden = true;
      load();
    });
    $("refresh").addEventListener("click", load);
    $("forget").addEventListener("click", function () {
      askForKey("");
    });
    $("lost-link").addEventListener("click", function (event) {
      event.preventDefault();
      loadLostSales(true);
      $("lost-sales-list").scrollIntoView({ behavior: "smooth", block: "start" });
    });
    $("lost-more").addEventListener("click", function () {
      loadLostSales(false);
    });
    var resizing = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(function () {
        if (state.data && !$("board").hidden) renderChart(state.data);
      }, 150);
    });
    load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
