/* Real-user page metrics (issue 6 §3): page timings and htmx swap times, sent with sendBeacon to
   /metrics/client/ (ahsp/client_metrics.py documents the shape). No framework, no inline code; every
   step is in try/catch, so a failure here never reaches the page. */
(function () {
  "use strict";
  var ENDPOINT = "/metrics/client/";
  var MAX_MS = 120000;
  var BATCH = 10;
  var MAX_BODY = 4000;
  var FLUSH_AFTER_MS = 1000;
  var queue = [];
  var timer = null;
  var started = typeof WeakMap === "function" ? new WeakMap() : null;

  function normalise(path) {
    // Numeric path segments are ids: /projects/12/items/3/ -> /projects/<id>/items/<id>/
    return String(path).replace(/\/\d+(?=\/|$)/g, "/<id>").slice(0, 200);
  }

  function ms(value) {
    return typeof value === "number" && value > 0 && value <= MAX_MS ? Math.round(value * 10) / 10 : null;
  }

  function send(entries) {
    try {
      var body = JSON.stringify(entries.length === 1 ? entries[0] : entries);
      if (body.length > MAX_BODY && entries.length > 1) {  // long paths: the server takes 4 KB at most
        var half = Math.ceil(entries.length / 2);
        send(entries.slice(0, half));
        send(entries.slice(half));
        return;
      }
      var sent = false;
      try {
        sent = navigator.sendBeacon(ENDPOINT, new Blob([body], { type: "application/json" }));
      } catch (e) {
        sent = false;
      }
      if (!sent && window.fetch) {
        window.fetch(ENDPOINT, {
          method: "POST", body: body, keepalive: true, credentials: "same-origin",
          headers: { "Content-Type": "application/json" }
        }).catch(function () {});
      }
    } catch (e) { /* metrics must never break the page */ }
  }

  function flush() {
    try {
      if (timer) { clearTimeout(timer); timer = null; }
      while (queue.length) { send(queue.splice(0, BATCH)); }
    } catch (e) { /* ignore */ }
  }

  function sendPageTiming() {
    try {
      var nav = performance.getEntriesByType("navigation")[0];
      if (!nav || (nav.responseStatus && nav.responseStatus >= 400)) { return; }
      var ttfb = ms(nav.responseStart), dcl = ms(nav.domContentLoadedEventEnd), load = ms(nav.loadEventEnd);
      if (ttfb === null || dcl === null || load === null || !(ttfb <= dcl && dcl <= load)) { return; }
      send([{ v: 1, path: normalise(location.pathname), kind: "page", ttfb: ttfb, dcl: dcl, load: load }]);
    } catch (e) { /* ignore */ }
  }

  function requestPath(detail) {
    var path = detail && detail.pathInfo && (detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
    if (!path) { return null; }
    var url = new URL(path, location.href);
    return url.origin === location.origin ? normalise(url.pathname) : null;
  }

  function onBeforeRequest(event) {
    try {
      // The page the swap happens on: hx-push-url changes location before the swap settles.
      if (started && event.detail && event.detail.xhr) {
        started.set(event.detail.xhr, { at: performance.now(), page: location.pathname });
      }
    } catch (e) { /* ignore */ }
  }

  function onAfterSettle(event) {
    try {
      var xhr = event.detail && event.detail.xhr;
      if (!started || !xhr || !started.has(xhr)) { return; }  // OOB elements settle with the same xhr
      var start = started.get(xhr);
      started.delete(xhr);
      var elapsed = ms(performance.now() - start.at);
      var target = requestPath(event.detail);
      if (elapsed === null || target === null) { return; }
      queue.push({ v: 1, path: normalise(start.page), kind: "swap", target: target, ms: elapsed });
      if (queue.length >= BATCH) { flush(); } else {
        if (timer) { clearTimeout(timer); }
        timer = setTimeout(flush, FLUSH_AFTER_MS);
      }
    } catch (e) { /* ignore */ }
  }

  try {
    if (!navigator.sendBeacon && !window.fetch) { return; }
    if (!window.performance || !performance.getEntriesByType) { return; }
    // loadEventEnd is set only after the load handlers have run: read it on the next task.
    if (document.readyState === "complete") { setTimeout(sendPageTiming, 0); } else {
      window.addEventListener("load", function () { setTimeout(sendPageTiming, 0); }, { once: true });
    }
    document.addEventListener("htmx:beforeRequest", onBeforeRequest);
    document.addEventListener("htmx:afterSettle", onAfterSettle);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { flush(); }
    });
    window.addEventListener("pagehide", flush);
  } catch (e) { /* ignore */ }
})();
