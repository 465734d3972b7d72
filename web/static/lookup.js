// Live search for the lookup page: as the hotline types, fetch the results
// fragment and swap it in. Without JavaScript the form's button does the same.
(function () {
  var input = document.getElementById("q");
  var box = document.getElementById("results");
  if (!input || !box || !window.fetch) return;
  var timer = null, seq = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      var my = ++seq;
      var url = "/console/lookup?partial=1&q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        // Signed out meanwhile: go to the sign-in page instead of pasting it in.
        if (r.redirected) { location.href = r.url; return null; }
        return r.ok ? r.text() : null;
      }).then(function (html) {
        if (html === null || my !== seq) return;
        box.innerHTML = html;
        history.replaceState(null, "", "/console/lookup?q=" + encodeURIComponent(q));
      }).catch(function () {});
    }, 250);
  });
})();
