// Keyboard shortcuts of the agent workspace (the queue and the work screen):
//   n next case, s save and next, k skip, c log a contact, p promise to pay, ? this list.
// A key does nothing while the focus is in a field (typing "n" in a note is just an "n"),
// with a modifier held, or when the page has no control for it. Esc in a field leaves it.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    return ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
  }

  function press(selector) {
    var control = document.querySelector(selector);
    if (!control) return false;
    if (control.tagName === "FORM") control.requestSubmit();
    else control.click();
    return true;
  }

  function openAndFocus(formSelector, fieldSelector) {
    var form = document.querySelector(formSelector);
    if (!form) return false;
    var details = form.closest("details");
    if (details) details.open = true;
    var field = form.querySelector(fieldSelector);
    if (field) {
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
    return true;
  }

  function help() {
    var dialog = document.getElementById("shortcuts-dialog");
    if (!dialog) return false;
    if (dialog.open) dialog.close();
    else dialog.showModal();
    return true;
  }

  var actions = {
    n: function () { return press("#work-next"); },
    s: function () { return press("#save-next"); },
    k: function () { return press("#action-skip"); },
    c: function () { return openAndFocus("#action-contact", "select, textarea"); },
    p: function () { return openAndFocus("#action-promise", "input[name=amount]"); },
    "?": help,
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog && dialog.open && event.key !== "?") return; // the dialog handles Esc itself
    var action = actions[event.key];
    if (action && action()) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-shortcuts]")) {
      document.getElementById("shortcuts-dialog").close();
    }
  });
})();
