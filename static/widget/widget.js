/* AngelCX widget: the launcher and the chat and voice-call panel a customer's site gets from its embed snippet.
   The snippet loads the small loader at /static/js/widget.js, which adds this bundle under a content-hashed
   URL (/static/widget/widget.<sha256-12>.js, cached for a year) with the snippet's data-agent copied over.
   No dependencies, no eval; drawn inside a Shadow DOM so the host page's CSS cannot reach it. The Ultravox
   browser client (a large bundle) is loaded only when a visitor starts a call. The chat's replies stream in as
   server-sent events over a POST and are shown as text (textContent), never as HTML. A chat survives a reload:
   its signed conversation token is kept in localStorage until the chat ends. In the builder's preview
   (data-preview, a short-lived signed token) the chat is real but nothing is stored: the widget sends the
   chat so far with each message. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-angelcx-bundle]:not([data-angelcx-started])");
  if (!script || script.hasAttribute("data-angelcx-started")) return;
  script.setAttribute("data-angelcx-started", "");
  var token = script.getAttribute("data-agent") || "";
  var preview = script.getAttribute("data-preview") || "";
  var STORE_KEY = "angelcx-chat:" + token;
  var origin = new URL(script.src, location.href).origin;
  var api = origin + "/widget/" + encodeURIComponent(token);
  var SDK_URL = origin + "/static/vendor/ultravox-client-0.5.0.min.js";
  var CONNECT_TIMEOUT_MS = 20000;
  var STATUS_TEXT = {
    connecting: "Connecting…", idle: "Connected", listening: "Listening…", thinking: "Thinking…",
    speaking: "Speaking…", disconnecting: "Ending the call…", disconnected: "Call ended"
  };
  var CONNECTED = { idle: 1, listening: 1, thinking: 1, speaking: 1 };

  var CSS = [
    ":host { all: initial; }",
    ".root { position: fixed; bottom: 20px; z-index: 2147483000; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1f2330; }",
    ".root.bottom-right { right: 20px; } .root.bottom-left { left: 20px; }",
    ".root *, .root *::before, .root *::after { box-sizing: border-box; }",
    "button, input { font: inherit; }",
    ".launcher { display: block; margin-left: auto; border: 0; border-radius: 999px; padding: 12px 20px; cursor: pointer; font-weight: 600; background: var(--c); color: var(--t); box-shadow: 0 6px 20px rgba(0,0,0,.2); }",
    ".bottom-left .launcher { margin-left: 0; margin-right: auto; }",
    ".launcher:focus-visible, .panel button:focus-visible, .panel input:focus-visible { outline: 3px solid #7aa7ff; outline-offset: 2px; }",
    ".panel { width: min(360px, calc(100vw - 40px)); max-height: min(560px, calc(100vh - 110px)); display: flex; flex-direction: column; margin-bottom: 12px; background: #fff; border-radius: 14px; overflow: hidden; box-shadow: 0 12px 40px rgba(0,0,0,.22); }",
    ".panel[hidden] { display: none; }",
    ".header { display: flex; align-items: center; gap: 10px; padding: 12px 14px; background: var(--c); color: var(--t); }",
    ".avatar { width: 36px; height: 36px; border-radius: 50%; object-fit: cover; flex: none; display: grid; place-items: center; font-weight: 700; background: rgba(255,255,255,.25); }",
    ".name { font-weight: 600; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }",
    ".close { border: 0; background: transparent; color: inherit; font-size: 22px; line-height: 1; cursor: pointer; padding: 2px 6px; }",
    ".body { padding: 14px; overflow-y: auto; display: flex; flex-direction: column; gap: 10px; }",
    ".bubble { margin: 0; padding: 9px 12px; border-radius: 12px; background: #f1f2f6; align-self: flex-start; max-width: 88%; }",
    ".bubble.user { background: var(--c); color: var(--t); align-self: flex-end; }",
    ".bubble.partial { opacity: .7; }",
    ".status { margin: 0; font-size: 13px; color: #555b6e; }",
    ".status:empty, .error:empty { display: none; }",
    ".error { margin: 0; padding: 9px 12px; border-radius: 10px; background: #fdecec; color: #8a1c1c; font-size: 14px; }",
    ".lines { display: flex; flex-direction: column; gap: 8px; }",
    ".visitor { display: grid; gap: 8px; } .visitor[hidden] { display: none; }",
    ".visitor label { display: grid; gap: 2px; font-size: 13px; color: #555b6e; }",
    ".visitor input { width: 100%; padding: 7px 9px; border: 1px solid #c9ccd6; border-radius: 8px; background: #fff; color: #1f2330; }",
    ".field-error { color: #8a1c1c; font-size: 12px; }",
    ".actions { display: flex; gap: 8px; flex-wrap: wrap; padding: 12px 14px; border-top: 1px solid #eceef3; }",
    ".actions button { border: 0; border-radius: 10px; padding: 9px 14px; cursor: pointer; font-weight: 600; }",
    ".start { flex: 1; background: var(--c); color: var(--t); }",
    ".mute { background: #eceef3; color: #1f2330; } .end { background: #c62828; color: #fff; }",
    ".actions button[disabled] { opacity: .55; cursor: not-allowed; }",
    ".actions button[hidden] { display: none; }",
    ".bubble.agent { white-space: pre-wrap; } .bubble.user { white-space: pre-wrap; }",
    ".bubble.notice { background: #fff6dd; color: #5c4400; }",
    ".bubble.failed { background: #fdecec; color: #8a1c1c; }",
    ".typing { display: inline-flex; gap: 4px; align-items: center; }",
    ".typing span { width: 7px; height: 7px; border-radius: 50%; background: #8b90a0; animation: blink 1.2s infinite both; }",
    ".typing span:nth-child(2) { animation-delay: .2s; } .typing span:nth-child(3) { animation-delay: .4s; }",
    ".typing em { font-style: normal; font-size: 13px; color: #555b6e; margin-left: 6px; }",
    "@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }",
    ".composer { display: flex; gap: 8px; padding: 10px 14px; border-top: 1px solid #eceef3; }",
    ".composer[hidden], .actions[hidden] { display: none; }",
    ".composer input { flex: 1; min-width: 0; padding: 9px 11px; border: 1px solid #c9ccd6; border-radius: 10px; background: #fff; color: #1f2330; }",
    ".composer button { border: 0; border-radius: 10px; padding: 9px 14px; cursor: pointer; font-weight: 600; background: var(--c); color: var(--t); }",
    ".composer button[disabled] { opacity: .55; cursor: not-allowed; }",
    ".endchat { background: #eceef3; color: #1f2330; }",
    ".composer input:focus-visible, .composer button:focus-visible { outline: 3px solid #7aa7ff; outline-offset: 2px; }"
  ].join("\n");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function render(config) {
    var host = el("div");
    host.setAttribute("data-angelcx-widget", "");
    var shadow = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = CSS;
    var root = el("div", "root " + (config.position === "bottom-left" ? "bottom-left" : "bottom-right"));
    root.style.setProperty("--c", config.color);
    root.style.setProperty("--t", config.textColor);

    var panel = el("section", "panel");
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", config.botName);
    var header = el("div", "header");
    var avatar;
    if (config.avatarUrl) {
      avatar = el("img", "avatar");
      avatar.src = config.avatarUrl;
      avatar.alt = "";
    } else {
      avatar = el("span", "avatar", (config.botName || "A").charAt(0).toUpperCase());
    }
    var close = el("button", "close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    header.append(avatar, el("span", "name", config.botName), close);

    var body = el("div", "body");
    var transcript = el("div", "lines");
    transcript.append(el("p", "bubble greeting", config.greeting));
    var visitor = el("form", "visitor");
    visitor.noValidate = true;
    var fields = {};
    [["name", "Your name (optional)", "text", "name"], ["email", "Email (optional)", "email", "email"]].forEach(function (f) {
      var label = el("label", null, f[1]);
      var input = el("input");
      input.name = f[0];
      input.type = f[2];
      input.autocomplete = f[3];
      input.maxLength = f[0] === "name" ? 100 : 254;
      var error = el("span", "field-error");
      label.append(input, error);
      visitor.append(label);
      fields[f[0]] = { input: input, error: error };
    });
    var status = el("p", "status");
    status.setAttribute("role", "status");
    var error = el("p", "error");
    error.setAttribute("role", "alert");
    body.append(transcript, visitor, status, error);

    var composer = el("form", "composer");
    composer.noValidate = true;
    var input = el("input");
    input.type = "text";
    input.name = "message";
    input.maxLength = 2000;
    input.placeholder = "Type a message…";
    input.setAttribute("aria-label", "Message");
    input.autocomplete = "off";
    var send = el("button", "send", "Send");
    send.type = "submit";
    composer.append(input, send);
    composer.hidden = !config.chat;

    var actions = el("div", "actions");
    var start = el("button", "start", "Start voice call");
    var mute = el("button", "mute", "Mute");
    var end = el("button", "end", "End call");
    var endChat = el("button", "endchat", "End chat");
    [start, mute, end, endChat].forEach(function (b) { b.type = "button"; });
    mute.hidden = end.hidden = endChat.hidden = true;
    mute.setAttribute("aria-pressed", "false");
    start.hidden = config.voice === false;
    if (!config.voiceCalls) {
      start.disabled = true;
      if (!config.chat) status.textContent = "Voice calls are not available yet.";
    }
    actions.append(start, mute, end, endChat);
    actions.hidden = start.hidden && !config.chat;
    panel.append(header, body, composer, actions);

    var launcher = el("button", "launcher", config.launcherText);
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    root.append(panel, launcher);
    shadow.append(style, root);
    document.body.appendChild(host);

    function toggle(open, quietly) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open && !quietly) (config.chat ? input : start).focus();
    }
    launcher.addEventListener("click", function () { toggle(panel.hidden); });
    close.addEventListener("click", function () { toggle(false); launcher.focus(); });

    var ui = { config: config, transcript: transcript, visitor: visitor, fields: fields, status: status,
               error: error, start: start, mute: mute, end: end, input: input, send: send, endChat: endChat,
               chat: { token: null, history: [], busy: false } };
    start.addEventListener("click", function () { startCall(ui); });
    visitor.addEventListener("submit", function (event) {
      event.preventDefault();
      if (config.chat) input.focus(); else startCall(ui);
    });
    composer.addEventListener("submit", function (event) { event.preventDefault(); sendChat(ui); });
    endChat.addEventListener("click", function () { finishChat(ui); });
    if (config.chat) resumeChat(ui);
    if (script.hasAttribute("data-open")) toggle(true, true);  // the builder's preview: open, without taking focus
    return ui;
  }

  function showError(ui, message) {
    ui.error.textContent = message;
    ui.status.textContent = "";
  }

  function inCall(ui, active) {
    ui.start.hidden = active;
    ui.start.disabled = false;
    ui.mute.hidden = ui.end.hidden = !active;
    ui.visitor.hidden = active;
  }

  var sdkPromise = null;
  function loadSdk() {
    if (window.UltravoxClient) return Promise.resolve(window.UltravoxClient);
    if (!sdkPromise) {
      sdkPromise = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = SDK_URL;
        tag.async = true;
        tag.onload = function () { window.UltravoxClient ? resolve(window.UltravoxClient) : reject(new Error("empty")); };
        tag.onerror = function () { sdkPromise = null; reject(new Error("not loaded")); };
        document.head.appendChild(tag);
      });
    }
    return sdkPromise;
  }

  function requestCall(ui) {
    var payload = {};
    Object.keys(ui.fields).forEach(function (name) {
      var value = ui.fields[name].input.value.trim();
      if (value) payload[name] = value;
    });
    return fetch(api + "/calls", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload), credentials: "omit"
    }).catch(function () {
      throw new Error("Could not reach the voice service. Check your connection and try again.");
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.joinUrl) return data;
        // An application/problem+json answer: `detail` for people, `errors` by JSON Pointer ("/email").
        (data.errors || []).forEach(function (problem) {
          var field = ui.fields[(problem.path || "").slice(1)];
          if (field) field.error.textContent = (field.error.textContent + " " + problem.message).trim();
        });
        throw new Error(data.detail || "The call could not be started (error " + response.status + ").");
      });
    });
  }

  // Asked before the call is created, so a visitor without a microphone never starts (and uses up) one.
  function checkMicrophone() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject(new Error("Voice calls need a microphone and a secure (https) page."));
    }
    return navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }, function (problem) {
      var denied = problem && (problem.name === "NotAllowedError" || problem.name === "SecurityError");
      throw new Error(denied ? "Voice calls need your microphone. Allow microphone access for this site and try again."
                             : "No microphone could be used. Connect one and try again.");
    });
  }

  function startCall(ui) {
    if (ui.start.disabled) return;
    ui.start.disabled = true;
    ui.error.textContent = "";
    Object.keys(ui.fields).forEach(function (name) { ui.fields[name].error.textContent = ""; });
    ui.status.textContent = "Checking your microphone…";
    checkMicrophone().then(function () {
      ui.status.textContent = "Starting the call…";
      return requestCall(ui);
    }).then(function (call) {
      ui.status.textContent = "Loading the voice client…";
      return loadSdk().catch(function () {
        throw new Error("Voice calls need the Ultravox client bundle, which could not be loaded. Please try again.");
      }).then(function (sdk) { join(ui, sdk, call.joinUrl); });
    }).catch(function (failure) {
      ui.start.disabled = false;
      showError(ui, failure.message);
    });
  }

  function join(ui, sdk, joinUrl) {
    var session = new sdk.UltravoxSession();
    var connected = false;
    var failed = false;
    var failCall = function (message) {
      if (failed) return;
      failed = true;
      inCall(ui, false);
      showError(ui, message);
      session.leaveCall().catch(function () {});
    };
    var timer = setTimeout(function () {
      if (!connected) failCall("The call could not be connected (no answer from the voice service). Please try again.");
    }, CONNECT_TIMEOUT_MS);
    session.addEventListener("status", function () {
      var state = session.status;
      if (CONNECTED[state]) connected = true;
      if (state === "disconnected") {
        clearTimeout(timer);
        if (!connected) return failCall("The call could not be connected. Please try again in a moment.");
        inCall(ui, false);
      }
      if (!failed) ui.status.textContent = STATUS_TEXT[state] || state;
    });
    session.addEventListener("transcripts", function () { showTranscripts(ui, session.transcripts); });
    ui.mute.onclick = function () {
      session.toggleMicMute();
      ui.mute.textContent = session.isMicMuted ? "Unmute" : "Mute";
      ui.mute.setAttribute("aria-pressed", String(session.isMicMuted));
    };
    ui.end.onclick = function () { session.leaveCall(); };
    inCall(ui, true);
    try {
      session.joinCall(joinUrl);
    } catch (problem) {
      clearTimeout(timer);
      if (window.console) console.warn("AngelCX widget: joining the call failed:", problem);
      failCall("The call could not be connected. Please try again in a moment.");
    }
  }

  function showTranscripts(ui, transcripts) {
    var lines = ui.transcript.querySelectorAll(".bubble.line");
    lines.forEach(function (line) { line.remove(); });
    transcripts.forEach(function (t) {
      if (!t || !t.text) return;
      var line = el("p", "bubble line" + (t.speaker === "user" ? " user" : "") + (t.isFinal ? "" : " partial"), t.text);
      ui.transcript.appendChild(line);
    });
    ui.transcript.parentNode.scrollTop = ui.transcript.parentNode.scrollHeight;
  }

  // ---- Chat ----
  function remember(value) {
    if (preview) return;
    try { if (value) localStorage.setItem(STORE_KEY, value); else localStorage.removeItem(STORE_KEY); } catch (e) {}
  }
  function remembered() {
    if (preview) return null;
    try { return localStorage.getItem(STORE_KEY); } catch (e) { return null; }
  }

  function bubble(ui, kind, text) {
    var node = el("p", "bubble " + kind);
    node.textContent = text;  // model output is text, never HTML
    ui.transcript.appendChild(node);
    ui.transcript.parentNode.scrollTop = ui.transcript.parentNode.scrollHeight;
    return node;
  }

  function typing(ui, label) {
    var node = el("p", "bubble typing");
    node.setAttribute("aria-label", "The assistant is typing");
    node.append(el("span"), el("span"), el("span"));
    if (label) node.append(el("em", null, label));
    ui.transcript.appendChild(node);
    ui.transcript.parentNode.scrollTop = ui.transcript.parentNode.scrollHeight;
    return node;
  }

  function chatStarted(ui, token) {
    ui.chat.token = token;
    remember(token);
    ui.visitor.hidden = true;
    ui.endChat.hidden = false;
  }

  function chatEnded(ui) {
    ui.chat.token = null;
    ui.chat.history = [];
    remember(null);
    ui.endChat.hidden = true;
  }

  function resumeChat(ui) {
    var saved = remembered();
    if (!saved) return;
    fetch(api + "/chat?conversation=" + encodeURIComponent(saved), { credentials: "omit" }).then(function (response) {
      if (response.status === 410 || response.status === 404) { remember(null); return null; }
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) return;
      chatStarted(ui, saved);
      data.messages.forEach(function (m) { bubble(ui, m.role === "visitor" ? "user" : "agent", m.content); });
    }).catch(function () {});
  }

  function problemText(response, data) {
    return (data && data.detail) || "The message could not be sent (error " + response.status + "). Please try again.";
  }

  function sendChat(ui) {
    var text = ui.input.value.trim();
    if (!text || ui.chat.busy) return;
    ui.chat.busy = true;
    ui.send.disabled = true;
    ui.error.textContent = "";
    ui.input.value = "";
    ui.visitor.hidden = true;  // name and email go with the first message
    bubble(ui, "user", text);
    var waiting = typing(ui);
    var payload = { message: text };
    if (preview) {
      payload.preview = preview;
      payload.history = ui.chat.history.slice(-40);
    } else if (ui.chat.token) {
      payload.conversation = ui.chat.token;
    } else {
      Object.keys(ui.fields).forEach(function (name) {
        var value = ui.fields[name].input.value.trim();
        if (value) payload[name] = value;
      });
    }
    var answer = null;
    var answerText = "";
    function settle() {
      if (waiting) { waiting.remove(); waiting = null; }
      ui.chat.busy = false;
      ui.send.disabled = false;
      ui.input.focus();
    }
    function handle(name, data) {
      if (name === "conversation") chatStarted(ui, data.token);
      else if (name === "delta") {
        if (waiting) { waiting.remove(); waiting = null; }
        if (!answer) answer = bubble(ui, "agent", "");
        answerText += data.text;
        answer.textContent = answerText;
        ui.transcript.parentNode.scrollTop = ui.transcript.parentNode.scrollHeight;
      } else if (name === "tool") {
        if (waiting) waiting.remove();
        waiting = typing(ui, "Looking that up…");
      } else if (name === "done") {
        ui.chat.history.push({ role: "visitor", content: text }, { role: "agent", content: data.text || answerText });
      } else if (name === "notice") {
        bubble(ui, "notice", data.message);
      } else if (name === "error") {
        bubble(ui, "failed", data.message);
      }
    }
    fetch(api + "/chat", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload), credentials: "omit"
    }).then(function (response) {
      if (!response.ok || !response.body) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 410) chatEnded(ui);
          settle();
          bubble(ui, "failed", problemText(response, data));
        });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
          var blocks = buffer.split("\n\n");
          buffer = chunk.done ? "" : blocks.pop();
          blocks.forEach(function (block) {
            var name = null, data = "";
            block.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) name = line.slice(7);
              else if (line.indexOf("data: ") === 0) data += line.slice(6);
            });
            if (name && data) { try { handle(name, JSON.parse(data)); } catch (e) {} }
          });
          if (chunk.done) { settle(); return; }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      settle();
      bubble(ui, "failed", "Could not reach the assistant. Check your connection and try again.");
    });
  }

  function finishChat(ui) {
    var ending = ui.chat.token;
    chatEnded(ui);
    bubble(ui, "notice", "Chat ended. Thank you! Send a message to start a new one.");
    if (!ending) return;
    fetch(api + "/chat/end", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      body: JSON.stringify({ conversation: ending })
    }).catch(function () {});
  }

  function boot() {
    var given = preview && script.getAttribute("data-config");  // the builder's unsaved settings, in its preview
    (given ? Promise.resolve(JSON.parse(given)) : fetch(api + "/config", { credentials: "omit" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })).then(render).catch(function (problem) {
      // Never break the host page: the owner finds the reason in the console.
      if (window.console) console.warn("AngelCX widget: could not load the agent's widget (" + problem.message + "). Check the snippet's data-agent value.");
    });
  }

  if (document.body) boot(); else document.addEventListener("DOMContentLoaded", boot);
})();
