/* Awn web chat: talks to the buyer API (/api/v1/buyer) with a chat token.
 *
 * - The token comes from the URL fragment (#token=…) or from the embedding widget (postMessage),
 *   and is kept in sessionStorage for this tab only.
 * - Every message carries a client_message_id; a retry reuses it, so the server stores it once.
 * - Replies come back with the send, and anything else (an agent's reply) by polling
 *   GET …/messages?after=<last id>.
 * - Text is always inserted with textContent: HTML or script a buyer or agent writes is shown as text.
 * - Photos in the history (and from polls) are fetched with the token as blobs and shown from object URLs.
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("awn-config").textContent);
  var T = cfg.strings;
  var $log = document.getElementById("log");
  var $form = document.getElementById("composer");
  var $text = document.getElementById("text");
  var $send = document.getElementById("send");
  var $photo = document.getElementById("photo");
  var $banner = document.getElementById("banner");
  var $subtitle = document.getElementById("subtitle");
  var $langSwitch = document.getElementById("lang-switch");
  var $close = document.getElementById("close");

  var TOKEN_KEY = "awn.chat.token";
  var token = null;
  var conversation = null;
  var lastId = 0;
  var seen = {};          // message id → element
  var pending = {};       // client_message_id → element
  var previews = {};      // client_message_id → object URL of a photo being sent
  var pollTimer = null;
  var pollFailures = 0;
  var expired = false;
  var timeFormat = new Intl.DateTimeFormat(cfg.lang, { hour: "numeric", minute: "2-digit" });

  // ------------------------------------------------------------------ token

  function readToken() {
    var match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (match) {
      token = decodeURIComponent(match[1]);
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* storage may be blocked in iframes */ }
      history.replaceState(null, "", location.pathname + location.search);
      return;
    }
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
  }

  function toParent(message) {
    if (cfg.embed && window.parent !== window) { window.parent.postMessage(message, "*"); }
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== "awn:token") { return; }
    token = String(event.data.token || "");
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* ignore */ }
    expired = false;
    hideBanner();
    if (!conversation) { start(); } else { schedulePoll(0); }
  });

  // ------------------------------------------------------------------ banner

  function showBanner(text, kind, link) {
    $banner.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      $banner.appendChild(document.createTextNode(" "));
      $banner.appendChild(a);
    }
    $banner.dataset.kind = kind || "info";
    $banner.hidden = false;
  }

  function hideBanner() { $banner.hidden = true; $banner.textContent = ""; }

  function sessionProblem(text) {
    expired = true;
    stopPolling();
    showBanner(text, "error", cfg.demo ? { href: cfg.signIn, text: T.sign_in_again } : null);
    setComposer(false);
    toParent({ type: "awn:token-expired" });
  }

  // ------------------------------------------------------------------ HTTP

  function api(method, path, body) {
    var headers = { "Authorization": "Bearer " + token, "Accept": "application/json" };
    var init = { method: method, headers: headers, credentials: "omit" };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(cfg.api + path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (response.status === 401) {
          sessionProblem(data && data.code === "token_expired" ? T.expired : T.no_session);
        }
        if (!response.ok) {
          var error = new Error((data && data.message) || response.statusText);
          error.status = response.status;
          error.code = data && data.code;
          throw error;
        }
        return data;
      });
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // ------------------------------------------------------------------ rendering

  function authorLabel(author) {
    return { buyer: T.you, assistant: T.assistant, agent: T.agent, system: T.system }[author] || "";
  }

  // Order and product numbers, emails and other Latin runs inside Arabic text are isolated (<bdi>)
  // so that "(P-100001)" is not reordered by the right-to-left paragraph. Text nodes only: never HTML.
  var LTR_RUN = /[A-Za-z0-9#+][A-Za-z0-9#+\-_.\/:@]*[A-Za-z0-9]|[A-Za-z0-9]/g;
  function appendIsolated(parent, text) {
    var last = 0, match;
    LTR_RUN.lastIndex = 0;
    while ((match = LTR_RUN.exec(text)) !== null) {
      if (match.index > last) { parent.appendChild(document.createTextNode(text.slice(last, match.index))); }
      var iso = document.createElement("bdi");
      iso.textContent = match[0];
      if (match[0].length <= 32) { iso.className = "nb"; }  // keep "P-100001" on one line
      parent.appendChild(iso);
      last = match.index + match[0].length;
    }
    if (last < text.length) { parent.appendChild(document.createTextNode(text.slice(last))); }
  }

  // A photo from the history or a poll (no local preview): fetch its bytes with the token (an <img>
  // cannot send it), show them from an object URL in place of the "📷 photo" text, and let the URL
  // go once the image is shown. Until then, or if anything fails, the text stays.
  var PHOTO_TYPE = /^image\/(jpeg|png|webp)$/;
  function loadPhoto(conversationId, attachmentId, placeholder) {
    placeholder.dataset.attachmentId = String(attachmentId);
    placeholder.setAttribute("aria-busy", "true");
    var path = "/conversations/" + encodeURIComponent(conversationId) + "/attachments/" + encodeURIComponent(attachmentId);
    fetch(cfg.api + path, { headers: { "Authorization": "Bearer " + token }, credentials: "omit" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.blob();
      })
      .then(function (blob) {
        if (!PHOTO_TYPE.test(blob.type)) { throw new Error("not a photo: " + blob.type); }
        var url = URL.createObjectURL(blob);
        var img = document.createElement("img");
        img.className = "msg__photo";
        img.alt = T.photo;
        img.dataset.attachmentId = String(attachmentId);
        img.addEventListener("load", function () {
          URL.revokeObjectURL(url);   // decoded and shown: the bytes are no longer needed
          if (!placeholder.parentNode) { return; }
          var atBottom = $log.scrollHeight - $log.scrollTop - $log.clientHeight < 48;
          placeholder.parentNode.replaceChild(img, placeholder);
          if (atBottom) { scrollDown(); }
        }, { once: true });
        img.addEventListener("error", function () {
          URL.revokeObjectURL(url);
          placeholder.removeAttribute("aria-busy");
        }, { once: true });
        img.src = url;
      })
      .catch(function () { placeholder.removeAttribute("aria-busy"); });
  }

  function buildMessage(m, clientId) {
    var el = document.createElement("article");
    el.className = "msg msg--" + m.author;
    el.dataset.author = m.author;
    var who = document.createElement("span");
    who.className = "msg__author";
    who.textContent = authorLabel(m.author);
    el.appendChild(who);
    (m.attachments || []).forEach(function (a) {
      var url = clientId && previews[clientId];
      if (a.kind === "image" && url) {
        var img = document.createElement("img");
        img.className = "msg__photo";
        img.alt = T.photo;
        if (m.id) {
          // The message as stored: this is the preview's last use, so let it go once shown.
          delete previews[clientId];
          img.addEventListener("load", function () { URL.revokeObjectURL(url); }, { once: true });
        }
        img.src = url;
        el.appendChild(img);
      } else {
        var file = document.createElement("span");
        file.className = "msg__file";
        file.textContent = "📷 " + T.photo;
        el.appendChild(file);
        if (a.kind === "image" && a.id && PHOTO_TYPE.test(a.content_type || "") && conversation) {
          loadPhoto(conversation.id, a.id, file);
        }
      }
    });
    if (m.text) {
      var p = document.createElement("p");
      p.className = "msg__text";
      p.dir = "auto";
      appendIsolated(p, m.text);
      el.appendChild(p);
    }
    var meta = document.createElement("time");
    meta.className = "msg__meta";
    if (m.created_at) {
      meta.dateTime = m.created_at;
      meta.textContent = timeFormat.format(new Date(m.created_at));
    } else {
      meta.textContent = T.sending;
    }
    el.appendChild(meta);
    return el;
  }

  function buildChoices(m) {
    var box = document.createElement("div");
    box.className = "choices";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", T.choose);
    m.choices.forEach(function (choice) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "choice";
      b.dir = "auto";
      b.dataset.choiceId = choice.id;
      b.textContent = choice.title;
      b.addEventListener("click", function () {
        if (box.getAttribute("aria-disabled") === "true") { return; }
        sendMessage({ text: choice.title, choice_id: choice.id });
      });
      box.appendChild(b);
    });
    return box;
  }

  function retireChoices() {
    Array.prototype.forEach.call($log.querySelectorAll(".choices"), function (box) {
      box.setAttribute("aria-disabled", "true");
    });
  }

  function addMessage(m, clientId) {
    // A poll may bring the buyer's own message back before the send's response does: match the
    // "sending…" placeholder by the message's client id either way, so it never lingers.
    var cid = clientId || m.client_message_id;
    var placeholder = cid && pending[cid];
    if (seen[m.id]) {
      if (placeholder && placeholder.parentNode) {
        placeholder.parentNode.removeChild(placeholder);
        delete pending[cid];
      }
      return seen[m.id];
    }
    var el = buildMessage(m, cid);
    if (placeholder && placeholder.parentNode) {
      placeholder.parentNode.replaceChild(el, placeholder);
      delete pending[cid];
    } else {
      if (m.author === "buyer") { retireChoices(); }
      $log.insertBefore(el, typingEl && typingEl.parentNode ? typingEl : null);
    }
    seen[m.id] = el;
    if (m.id > lastId) { lastId = m.id; }
    if (m.author !== "buyer" && m.choices && m.choices.length) {
      retireChoices();
      el.parentNode.insertBefore(buildChoices(m), el.nextSibling);
    }
    scrollDown();
    return el;
  }

  function scrollDown() { $log.scrollTop = $log.scrollHeight; }

  var typingEl = null;
  function typing(on) {
    if (on && !typingEl) {
      typingEl = document.createElement("div");
      typingEl.className = "typing";
      typingEl.textContent = T.typing;
      $log.appendChild(typingEl);
      scrollDown();
    } else if (!on && typingEl) {
      typingEl.remove();
      typingEl = null;
    }
  }

  function showState(c) {
    if (!c) { return; }
    conversation.status = c.status;
    conversation.owner = c.owner;
    if (c.status === "handed_off") {
      showBanner(c.owner === "agent" ? T.with_agent : T.waiting_agent, "info");
      $subtitle.textContent = T.agent;
    } else if (c.status === "closed") {
      showBanner(T.closed, "info");
    } else if (!expired) {
      hideBanner();
      $subtitle.textContent = T.assistant;
    }
  }

  function setComposer(enabled) {
    $text.disabled = !enabled;
    $send.disabled = !enabled;
    $photo.disabled = !enabled;
  }

  // ------------------------------------------------------------------ sending

  function placeholderFor(clientId, body) {
    var el = buildMessage({ author: "buyer", text: body.text || "", attachments: body.photo ? [{ kind: "image" }] : [] }, clientId);
    el.classList.add("msg--pending");
    retireChoices();
    $log.appendChild(el);
    pending[clientId] = el;
    scrollDown();
    return el;
  }

  function markFailed(clientId, body, error) {
    var el = pending[clientId];
    if (!el) { return; }
    el.classList.remove("msg--pending");
    el.classList.add("msg--failed");
    var meta = el.querySelector(".msg__meta");
    var reason = T.failed;
    if (error && error.code === "text_too_long") { reason = T.too_long; }
    if (error && (error.code === "file_too_large" || error.code === "payload_too_large")) { reason = T.too_large; }
    if (error && error.code === "unsupported_media_type") { reason = T.not_image; }
    if (error && error.code === "rate_limited") { reason = T.too_fast; }
    meta.textContent = reason;
    var permanent = error && error.status && error.status < 500 && error.status !== 408 && error.status !== 429;
    if (!permanent) {
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "msg__retry";
      retry.textContent = T.retry;
      retry.addEventListener("click", function () {
        el.classList.remove("msg--failed");
        el.classList.add("msg--pending");
        meta.textContent = T.sending;
        retry.remove();
        deliver(clientId, body);   // the same client_message_id: stored once however often it is retried
      });
      meta.appendChild(retry);
    }
  }

  function deliver(clientId, body) {
    var request;
    if (body.photo) {
      var form = new FormData();
      form.append("photo", body.photo, body.photo.name || "photo");
      form.append("client_message_id", clientId);
      if (body.text) { form.append("text", body.text); }
      request = api("POST", "/conversations/" + conversation.id + "/photos", form);
    } else {
      var json = { text: body.text || "", client_message_id: clientId };
      if (body.choice_id) { json.choice_id = body.choice_id; }
      request = api("POST", "/conversations/" + conversation.id + "/messages", json);
    }
    typing(true);
    return request.then(function (turn) {
      typing(false);
      addMessage(turn.message, clientId);
      turn.replies.forEach(function (r) { addMessage(r); });
      schedulePoll(400);
    }).catch(function (error) {
      typing(false);
      if (error.code === "conversation_closed") {
        conversation = null;
        start().then(function () { deliver(clientId, body); });
        return;
      }
      if (error.status !== 401) { markFailed(clientId, body, error); }
    });
  }

  function sendMessage(body) {
    if (!conversation || expired) { return; }
    var clientId = newId();
    if (body.photo) { previews[clientId] = URL.createObjectURL(body.photo); }
    placeholderFor(clientId, body);
    return deliver(clientId, body);
  }

  $form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $text.value;
    if (!text.trim()) { return; }
    if (text.length > cfg.maxText) { showBanner(T.too_long, "error"); return; }
    $text.value = "";
    autosize();
    sendMessage({ text: text });
  });

  $text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $form.requestSubmit ? $form.requestSubmit() : $form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  function autosize() {
    $text.style.height = "auto";
    $text.style.height = Math.min($text.scrollHeight + 2, 160) + "px";
  }
  $text.addEventListener("input", autosize);

  $photo.addEventListener("change", function () {
    var file = $photo.files && $photo.files[0];
    $photo.value = "";
    if (!file) { return; }
    if (file.size > cfg.maxPhotoBytes) { showBanner(T.too_large, "error"); return; }
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) { showBanner(T.not_image, "error"); return; }
    hideBanner();
    sendMessage({ photo: file, text: "" });
  });

  // ------------------------------------------------------------------ polling

  function stopPolling() { if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; } }

  function schedulePoll(ms) {
    stopPolling();
    if (expired || !conversation) { return; }
    var delay = ms !== undefined ? ms : (document.hidden ? cfg.pollMs * 4 : cfg.pollMs) * Math.min(1 + pollFailures, 6);
    pollTimer = setTimeout(poll, delay);
  }

  function poll() {
    if (!conversation || expired) { return; }
    api("GET", "/conversations/" + conversation.id + "/messages?after=" + lastId).then(function (data) {
      if (pollFailures) { hideBanner(); }
      pollFailures = 0;
      data.messages.forEach(function (m) { addMessage(m); });
      showState(data);
      schedulePoll();
    }).catch(function (error) {
      if (error.status === 401) { return; }
      pollFailures += 1;
      if (pollFailures >= 2) { showBanner(T.offline, "error"); }
      schedulePoll();
    });
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) { schedulePoll(0); } });

  // ------------------------------------------------------------------ language and embedding

  $langSwitch.addEventListener("click", function (event) {
    var target = $langSwitch.dataset.lang;
    if (!conversation || expired) { return; }   // a plain link: the page reloads in the other language
    event.preventDefault();
    api("PUT", "/conversations/" + conversation.id + "/language", { language: target }).finally(function () {
      location.href = $langSwitch.href;
    });
  });

  if ($close) { $close.addEventListener("click", function () { toParent({ type: "awn:close" }); }); }

  // ------------------------------------------------------------------ start

  function start() {
    var body = cfg.langExplicit ? { language: cfg.lang } : {};
    return api("POST", "/conversations", body).then(function (c) {
      conversation = c;
      if (c.language !== cfg.lang) {
        if (!cfg.langExplicit) {
          // No language asked for: show the page in the conversation's pinned language.
          location.replace("?lang=" + c.language + (cfg.embed ? "&embed=1" : ""));
          return;
        }
        api("PUT", "/conversations/" + c.id + "/language", { language: cfg.lang });
      }
      c.messages.forEach(function (m) { addMessage(m); });
      showState(c);
      setComposer(true);
      schedulePoll();
      document.documentElement.dataset.ready = "true";
    }).catch(function (error) {
      if (error.status !== 401) { showBanner(T.error, "error"); }
    });
  }

  readToken();
  if (!token) {
    showBanner(T.no_session, "error", cfg.demo ? { href: cfg.signIn, text: T.sign_in_again } : null);
    setComposer(false);
    toParent({ type: "awn:token-needed" });
  } else {
    setComposer(false);
    start();
  }
})();
