// Task forms: add/remove rows of repeatable fieldsets without a round trip, and show
// conditionally required fields only when they apply. Without JavaScript the same buttons
// post the form and the server re-renders it.
(function () {
  "use strict";

  function addRow(button) {
    var name = button.getAttribute("data-add");
    var fieldset = button.closest("fieldset");
    var template = document.getElementById("f-" + name + "-template");
    var counter = fieldset.querySelector('input[data-rows-for="' + name + '"]');
    if (!template || !counter) { return false; }
    var index = parseInt(counter.value, 10) || 0;
    var html = template.innerHTML
      .split("__INDEX__").join(String(index))
      .split("__NUMBER__").join(String(index + 1));
    var rows = document.getElementById("f-" + name + "-rows");
    rows.insertAdjacentHTML("beforeend", html);
    counter.value = String(index + 1);
    var added = rows.lastElementChild;
    var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
    refreshConditions(button.form);
    return true;
  }

  function removeRow(button) {
    var row = button.closest("[data-row]");
    if (!row) { return false; }
    var fieldset = row.parentElement.closest("fieldset");
    row.remove();
    if (fieldset) { fieldset.focus(); }
    return true;
  }

  function currentValue(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio") {
        if (input.checked) { return input.value; }
      } else if (input.type === "checkbox") {
        return input.checked ? "true" : "false";
      } else {
        return input.value;
      }
    }
    return "";
  }

  function refreshConditions(form) {
    var fields = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      var wanted = field.getAttribute("data-show-value");
      var shown = currentValue(form, field.getAttribute("data-show-when")) === wanted;
      field.hidden = !shown && !field.classList.contains("has-error");
    }
  }

  function onClick(event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.hasAttribute("data-add") && addRow(button)) { event.preventDefault(); }
    if (button.hasAttribute("data-remove") && removeRow(button)) { event.preventDefault(); }
  }

  function init() {
    var forms = document.querySelectorAll("form.task-form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      form.addEventListener("click", onClick);
      form.addEventListener("change", refreshConditions.bind(null, form));
      refreshConditions(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
