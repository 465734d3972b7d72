// The web chat widget: one POST /api/chat per turn. Everything from the
// server is inserted as text (never as HTML).
(function () {
  var log = document.getElementById("log");
  var form = document.getElementById("say");
  var input = document.getElementById("msg");
  if (!log || !form || !window.fetch) return;
  var conv = "";
  try { conv = sessionStorage.getItem("huiqi-conv") || ""; } catch (e) {}

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  }
  function scroll() { log.scrollTop = log.scrollHeight; }

  function send(body, echo) {
    if (echo) log.appendChild(el("p", "me", echo));
    if (conv) body.conversation = conv;
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.error) { log.appendChild(el("p", "bot error", data.error.message)); scroll(); return; }
      conv = data.conversation;
      try { sessionStorage.setItem("huiqi-conv", conv); } catch (e) {}
      (data.replies || []).forEach(render);
      scroll();
      listen();
    }).catch(function () {
      log.appendChild(el("p", "bot error", "网络不太顺畅，请稍后再试。"));
    });
  }

  function render(r) {
    var box = el("div", "bot");
    if (r.text) r.text.split("\n").forEach(function (line) { box.appendChild(el("p", "", line)); });
    if (r.card) {
      var c = el("div", "card");
      c.appendChild(el("strong", "", r.card.title));
      if (r.card.body) c.appendChild(el("p", "", r.card.body));
      if (r.card.fields && r.card.fields.length) {
        var dl = el("dl");
        r.card.fields.forEach(function (f) { dl.appendChild(el("dt", "", f.name)); dl.appendChild(el("dd", "", f.value)); });
        c.appendChild(dl);
      }
      if (r.card.footer) c.appendChild(el("small", "", r.card.footer));
      box.appendChild(c);
    }
    if (r.choices && r.choices.length) {
      var cs = el("div", "choices");
      r.choices.forEach(function (ch) {
        var b = el("button", "chip", ch.label);
        b.type = "button";
        b.addEventListener("click", function () {
          // One press per choice: the group's buttons are spent (the server
          // also answers a repeated confirmation with the same ticket).
          cs.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
          send({ action: ch.id }, ch.label);
        });
        cs.appendChild(b);
      });
      box.appendChild(cs);
    }
    if (r.form) {
      var f = el("form", "chatform");
      f.appendChild(el("strong", "", r.form.title));
      r.form.fields.forEach(function (ff) {
        var l = el("label", "", ff.label);
        var i = el(ff.long ? "textarea" : "input");
        i.name = ff.name;
        if (ff.placeholder) i.placeholder = ff.placeholder;
        if (ff.required) i.required = true;
        if (ff.max_len) i.maxLength = ff.max_len;
        l.appendChild(i);
        f.appendChild(l);
      });
      var sb = el("button", "", "提交");
      sb.type = "submit";
      f.appendChild(sb);
      f.addEventListener("submit", function (ev) {
        ev.preventDefault();
        sb.disabled = true;
        var vals = {};
        r.form.fields.forEach(function (ff) { vals[ff.name] = f.elements[ff.name].value; });
        send({ action: r.form.id, form: vals }, "（已提交）");
      });
      box.appendChild(f);
    }
    log.appendChild(box);
  }

  // Ticket notifications (派单, 办结 with the reply, …): pushed as
  // server-sent events, shown once, then acknowledged by the poll's after=,
  // which also brings any the stream missed. Unacknowledged ones come again.
  var shown = {}, last = 0, events = null;
  function notice(n) {
    if (shown[n.id]) return;
    shown[n.id] = true;
    if (n.id > last) last = n.id;
    render({ card: { title: n.title, body: n.text } });
    scroll();
  }
  function ack() {
    if (!conv) return;
    fetch("/api/chat/notifications?conversation=" + encodeURIComponent(conv) + "&after=" + last)
      .then(function (r) { return r.json(); })
      .then(function (data) { (data.notifications || []).forEach(notice); })
      .catch(function () {});
  }
  function listen() {
    if (!conv) return;
    if (!window.EventSource) { if (!events) { events = setInterval(ack, 30000); ack(); } return; }
    if (events) return;
    events = new EventSource("/api/chat/events?conversation=" + encodeURIComponent(conv));
    events.addEventListener("notification", function (ev) {
      try { notice(JSON.parse(ev.data)); ack(); } catch (e) {}
    });
  }
  listen();

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = input.value.trim();
    if (!t) return;
    input.value = "";
    send({ text: t }, t);
  });
})();
