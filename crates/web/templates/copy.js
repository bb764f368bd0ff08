// Deling's one script: a "copy" button beside a handle. The page works
// without it (the handle is in a read-only box that can be selected and
// copied by hand); with it, the button appears and copies in one click,
// and a status line says so to screen readers too.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var box = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-status"));
  if (!box || !status || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(box.value).then(function () {
      status.textContent = button.getAttribute("data-done");
    });
  });
});
