"use strict";
(function () {
  // Refreshes the server-rendered values from /v1/status (NNRP.md §12). textContent only:
  // nothing a node or its peers report is ever parsed as HTML.
  var REFRESH_MS = 5000;
  var base = location.pathname.replace(/[^/]*$/, "");
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = String(value); }
  }
  function list(id, values) {
    var ul = document.getElementById(id);
    if (!ul) { return; }
    while (ul.firstChild) { ul.removeChild(ul.firstChild); }
    values.forEach(function (v) {
      var li = document.createElement("li");
      li.textContent = String(v);
      ul.appendChild(li);
    });
    if (values.length === 0) {
      var none = document.createElement("li");
      none.textContent = "none advertised";
      ul.appendChild(none);
    }
  }
  function show(s) {
    text("peer_id", s.peer_id);
    text("agent", s.agent);
    text("protocol_version", s.protocol_version);
    var now = new Date(s.now * 1000).toISOString();
    text("now", now);
    document.getElementById("now").setAttribute("datetime", now);
    text("stored", s.stored);
    text("store_bytes", s.store_bytes);
    text("shards", s.shards.map(function (x) { return x.bits + "/" + x.index; }).join(", ") || "none");
    text("base_threshold", s.base_threshold);
    text("current_threshold", s.current_threshold);
    text("connections", s.connections);
    text("known_peers", s.known_peers);
    text("dht", (s.dht.ready ? "ready" : "bootstrapping") + ", " + s.dht.routing_table + " peers in the routing table");
    text("sync", s.sync.sessions + " sessions (" + s.sync.sessions_failed + " failed), " + s.sync.items_pulled +
      " pulled, " + s.sync.items_offered + " offered" + (s.sync.offering ? "" : ", not offering"));
    list("addresses", s.addresses);
    list("addrs", s.addrs);
  }
  function refresh() {
    fetch(base + "v1/status", { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) { show(s); } })
      .catch(function () { /* keep the last values; the next tick tries again */ })
      .then(function () { setTimeout(refresh, REFRESH_MS); });
  }
  setTimeout(refresh, REFRESH_MS);
})();
