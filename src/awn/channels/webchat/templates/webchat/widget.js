/* Awn chat widget. On a marketplace page:
 *
 *   <script src="{{ origin }}/widget.js" data-token-url="/support/awn-token" data-lang="ar" async></script>
 *
 * data-token-url: a URL on the marketplace's own site that returns {"token": "..."} for the
 *   signed-in buyer (its backend calls Awn's POST /api/v1/chat-tokens). Called with the page's
 *   cookies, again whenever the chat says its token expired.
 * data-token: a token minted when the page was rendered (instead of data-token-url).
 * data-lang: ar (default) or en.  data-open: "true" to open at once.
 * Or from script: AwnChat.init({token | getToken: () => Promise<string>, lang}); AwnChat.open(); AwnChat.close().
 */
(function () {
  "use strict";
  if (window.AwnChat && window.AwnChat.version) { return; }
  var ORIGIN = "{{ origin|escapejs }}";
  var LABELS = JSON.parse("{{ labels_json|escapejs }}");
  var script = document.currentScript;
  var options = { lang: "ar", token: null, getToken: null, open: false };
  var frame = null, panel = null, launcher = null, isOpen = false;

  function labels() { return LABELS[options.lang] || LABELS.ar; }

  function fetchToken() {
    if (options.getToken) { return Promise.resolve(options.getToken()); }
    if (options.tokenUrl) {
      return fetch(options.tokenUrl, { method: "POST", credentials: "include", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("token " + r.status); } return r.json(); })
        .then(function (data) { return data.token; });
    }
    return Promise.resolve(options.token);
  }

  function style(el, css) { for (var k in css) { el.style[k] = css[k]; } }

  function layout() {
    if (!panel) { return; }
    var small = window.innerWidth <= 480;
    var side = options.lang === "ar" ? "left" : "right";
    var other = side === "left" ? "right" : "left";
    style(panel, small
      ? { top: "0", bottom: "0", left: "0", right: "0", width: "100%", height: "100%", borderRadius: "0" }
      : { top: "auto", bottom: "88px", width: "380px", height: "min(640px, calc(100vh - 110px))", borderRadius: "16px" });
    if (!small) { panel.style[side] = "20px"; panel.style[other] = "auto"; }
    launcher.style[side] = "20px";
    launcher.style[other] = "auto";
  }

  function build() {
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.setAttribute("aria-label", labels().open);
    launcher.title = labels().open;
    launcher.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-4 4V5a2 2 0 0 1 2-2z"/></svg>';
    style(launcher, { position: "fixed", bottom: "20px", width: "60px", height: "60px", borderRadius: "50%",
      border: "0", background: "#0f766e", color: "#fff", cursor: "pointer", zIndex: "2147483646",
      boxShadow: "0 4px 14px rgba(0,0,0,.25)", display: "grid", placeItems: "center" });
    launcher.addEventListener("click", function () { isOpen ? close() : open(); });
    panel = document.createElement("div");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", labels().title);
    style(panel, { position: "fixed", zIndex: "2147483647", overflow: "hidden", display: "none",
      boxShadow: "0 8px 30px rgba(0,0,0,.3)", background: "#fff" });
    document.body.appendChild(launcher);
    document.body.appendChild(panel);
    layout();
    window.addEventListener("resize", layout);
  }

  function open() {
    if (!panel) { build(); }
    isOpen = true;
    panel.style.display = "block";
    if (frame) { return; }
    fetchToken().then(function (token) {
      frame = document.createElement("iframe");
      frame.title = labels().title;
      frame.src = ORIGIN + "/chat/?embed=1&lang=" + encodeURIComponent(options.lang) +
        (token ? "#token=" + encodeURIComponent(token) : "");
      frame.allow = "clipboard-write";
      style(frame, { width: "100%", height: "100%", border: "0", display: "block" });
      panel.appendChild(frame);
    });
  }

  function close() {
    isOpen = false;
    if (panel) { panel.style.display = "none"; }
    if (launcher) { launcher.focus(); }
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== ORIGIN || !frame || event.source !== frame.contentWindow || !event.data) { return; }
    if (event.data.type === "awn:close") { close(); }
    if (event.data.type === "awn:token-expired" || event.data.type === "awn:token-needed") {
      if (!options.getToken && !options.tokenUrl) { return; }
      fetchToken().then(function (token) {
        if (token) { frame.contentWindow.postMessage({ type: "awn:token", token: token }, ORIGIN); }
      });
    }
  });

  function init(given) {
    for (var k in given) { if (given[k] !== undefined && given[k] !== null) { options[k] = given[k]; } }
    if (options.lang !== "en") { options.lang = "ar"; }
    if (!launcher) {
      if (document.body) { build(); } else { document.addEventListener("DOMContentLoaded", build); }
    }
    if (options.open) { open(); }
  }

  window.AwnChat = { version: 1, init: init, open: open, close: close };
  if (script && (script.dataset.token || script.dataset.tokenUrl)) {
    init({ token: script.dataset.token, tokenUrl: script.dataset.tokenUrl, lang: script.dataset.lang,
           open: script.dataset.open === "true" });
  }
})();
