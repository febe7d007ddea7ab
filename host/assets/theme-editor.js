// The theme studio's editor, when JavaScript is on: line numbers follow typing, Tab indents
// instead of leaving the field (press Escape first to leave with Tab), Ctrl/Cmd+S saves. Without it the editor still works: the page
// renders the line numbers and the textarea is as tall as the file.
(function () {
  "use strict";
  var body = document.getElementById("studio-body");
  var gutter = document.getElementById("studio-gutter");
  var form = document.getElementById("studio-form");
  if (!body || !gutter || !form) return;
  var bad = gutter.querySelector(".bad");
  var badLine = bad ? Number(bad.textContent) : 0;
  function renumber() {
    var lines = body.value.split("\n").length + 1;
    if (gutter.children.length === lines) return;
    var out = document.createDocumentFragment();
    for (var n = 1; n <= lines; n++) {
      var span = document.createElement("span");
      span.textContent = String(n);
      if (n === badLine) span.className = "bad";
      out.appendChild(span);
    }
    gutter.replaceChildren(out);
    body.rows = lines;
  }
  var escaped = false;
  body.addEventListener("input", renumber);
  body.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      escaped = true;
      return;
    }
    var leave = escaped;
    escaped = false;
    if (event.key === "Tab" && !leave && !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      body.setRangeText("  ", body.selectionStart, body.selectionEnd, "end");
      renumber();
    } else if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  renumber();
})();
