// Upload progress for the authoring page. Without JavaScript the form posts as usual;
// with it, the same form is sent by XMLHttpRequest so a progress bar can show how much of a
// large package has gone, and the server's answer page replaces this one.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var bar = document.getElementById("upload-progress");
  var label = document.getElementById("upload-status");
  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files || !input.files.length) { return; }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("action"));
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.hidden = false;
      bar.value = percent;
      label.textContent = percent < 100 ? label.dataset.sending.replace("%s", percent) : label.dataset.checking;
    });
    request.addEventListener("load", function () {
      document.open();
      document.write(request.responseText);
      document.close();
      if (request.responseURL) { window.history.replaceState(null, "", request.responseURL); }
    });
    request.addEventListener("error", function () { label.textContent = label.dataset.failed; });
    request.send(new FormData(form));
  });
})();
