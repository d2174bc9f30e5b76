// The agency's part editor: add, move and remove paragraphs and numbered items. htmx saves a
// section after typing stops; structural changes fire "blocks-changed", which saves at once.
(function () {
  "use strict";
  var template = document.getElementById("block-template");

  function changed(form) {
    if (window.htmx) { window.htmx.trigger(form, "blocks-changed"); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var form = button.closest("form.section-form");
    if (!form) { return; }
    var blocks = form.querySelector(".blocks");
    if (button.hasAttribute("data-add-block") && template) {
      var fragment = template.content.cloneNode(true);
      var block = fragment.querySelector(".block");
      block.querySelector("select[name=kind]").value = button.getAttribute("data-add-block");
      blocks.appendChild(fragment);
      blocks.lastElementChild.querySelector("textarea").focus();
      return;  // an empty block is saved once something is typed into it
    }
    var row = button.closest(".block");
    if (!row) { return; }
    if (button.hasAttribute("data-remove")) {
      row.remove();
      changed(form);
    } else if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
      changed(form);
    } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
      row.parentNode.insertBefore(row.nextElementSibling, row);
      changed(form);
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("form.section-form select[name=kind]")) {
      changed(event.target.closest("form"));
    }
  });
})();
