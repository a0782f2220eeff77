/* Forms that fit who fills them (issue 14), without any inline script (the CSP forbids it):
 * - a choice picker ([data-picker]) gets a filter box, and follows the chosen area (data-area-field);
 * - a note form ([data-note-form]) shows the fields of the chosen kind, and a family update is shared.
 * Without JavaScript every field is shown and the server checks the same rules. */
(function () {
  "use strict";

  function checkedLabel(form, name) {
    var chosen = form.querySelector('input[name="' + name + '"]:checked');
    return chosen && chosen.value && chosen.labels.length ? chosen.labels[0].textContent.trim() : "";
  }

  function setUpPicker(picker) {
    var search = picker.querySelector("[data-picker-search]");
    var box = search.querySelector("input");
    var empty = picker.querySelector("[data-picker-empty]");
    var form = picker.closest("form");
    var areaField = picker.dataset.areaField;
    search.hidden = false;

    function apply() {
      var words = box.value.trim().toLowerCase();
      var area = areaField ? checkedLabel(form, areaField) : "";
      var shown = 0;
      picker.querySelectorAll("[data-picker-item]").forEach(function (item) {
        var group = item.closest("[data-picker-group]");
        var inArea = !area || !group || group.dataset.pickerGroup === area;
        var input = item.querySelector("input");
        var matches = !words || item.textContent.toLowerCase().indexOf(words) !== -1;
        // A ticked choice always stays in sight: nothing chosen is hidden away.
        item.hidden = !(input.checked || (inArea && matches));
        if (!item.hidden) shown += 1;
      });
      picker.querySelectorAll("[data-picker-group]").forEach(function (group) {
        group.hidden = !group.querySelector("[data-picker-item]:not([hidden])");
      });
      empty.hidden = shown > 0;
    }

    box.addEventListener("input", apply);
    if (areaField) {
      form.querySelectorAll('input[name="' + areaField + '"]').forEach(function (radio) {
        radio.addEventListener("change", apply);
      });
    }
    apply();
  }

  function setUpNoteForm(form) {
    var kinds = form.querySelectorAll('input[name="kind"][type="radio"]');
    if (!kinds.length) return;

    function show() {
      var chosen = form.querySelector('input[name="kind"]:checked');
      var kind = chosen ? chosen.value : "";
      form.querySelectorAll("[data-for-kinds]").forEach(function (part) {
        part.hidden = kind !== "" && part.dataset.forKinds.split(" ").indexOf(kind) === -1;
      });
    }

    kinds.forEach(function (radio) {
      radio.addEventListener("change", function () {
        // Sensible defaults per kind: a family update is shared with the family, a session note starts team-only.
        var visibility = { family_update: "family", session: "team" }[radio.value];
        var target = visibility && form.querySelector('input[name="visibility"][value="' + visibility + '"]');
        if (target) target.checked = true;
        show();
      });
    });
    show();
  }

  document.querySelectorAll("[data-picker]").forEach(setUpPicker);
  document.querySelectorAll("[data-note-form]").forEach(setUpNoteForm);
})();
