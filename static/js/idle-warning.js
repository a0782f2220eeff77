// Long forms warn before the idle timeout, and typing counts as being there.
//
// On a page with a text area (a note, a goal, a review), a person typing for a long time sends no
// request, and the session's idle timeout (SESSION_IDLE_TIMEOUT, from <body data-idle-timeout>) would
// log them out. Typing sends a "still here" request at most every 5 minutes; five minutes before the
// timeout without any, a warning offers to stay signed in. If the session expires all the same, the
// server keeps what was posted (accounts/kept.py).
(function () {
  "use strict";
  var body = document.body;
  var timeout = parseInt(body.getAttribute("data-idle-timeout") || "0", 10);
  var url = body.getAttribute("data-keepalive-url");
  if (!timeout || !url || !document.querySelector("form textarea")) {
    return;
  }
  var WARN_BEFORE = Math.min(300, Math.floor(timeout / 3)) * 1000;
  var PING_EVERY = Math.min(300, Math.floor(timeout / 3)) * 1000;
  var lastSeen = Date.now();
  var lastPing = Date.now();
  var warning = null;
  var timer = null;

  function token() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function ping() {
    lastPing = Date.now();
    lastSeen = Date.now();
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token() },
    });
  }

  function hideWarning() {
    if (warning) {
      warning.remove();
      warning = null;
    }
  }

  function showWarning() {
    if (warning) {
      return;
    }
    warning = document.createElement("div");
    warning.className = "alert alert-warning idle-warning";
    warning.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.className = "mb-2";
    text.textContent =
      "You will be logged out in a few minutes without activity. What you typed is kept if that happens, but you can stay signed in now.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-primary btn-sm";
    button.textContent = "Stay signed in";
    button.addEventListener("click", function () {
      ping().then(hideWarning);
    });
    warning.appendChild(text);
    warning.appendChild(button);
    var main = document.getElementById("content") || body;
    main.insertBefore(warning, main.firstChild);
    button.focus();
  }

  function schedule() {
    clearTimeout(timer);
    var left = lastSeen + timeout * 1000 - WARN_BEFORE - Date.now();
    timer = setTimeout(showWarning, Math.max(0, left));
  }

  document.addEventListener("input", function (event) {
    if (!event.target.closest || !event.target.closest("form")) {
      return;
    }
    if (Date.now() - lastPing >= PING_EVERY) {
      ping().then(function () {
        hideWarning();
        schedule();
      });
    }
  });
  schedule();
})();
