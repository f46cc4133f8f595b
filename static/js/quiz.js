// Autosave for quiz attempts. Without JavaScript, "Save and finish later" posts the form;
// with it, answers are also saved a moment after each change, so a lost connection or a
// closed tab loses nothing. The server checks every answer exactly as on a normal save.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("autosave-status");
  var timer = null;
  function save() {
    var data = new FormData(form);
    data.set("action", "autosave");
    // form.action would name the submit buttons (name="action"), so read the attribute
    fetch(form.getAttribute("action") || window.location.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        var time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        status.textContent = response.ok ? status.dataset.saved.replace("%s", time) : status.dataset.failed;
      })
      .catch(function () { status.textContent = status.dataset.offline; });
  }
  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", later);
})();
