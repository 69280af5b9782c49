/* Small progressive helpers; pages work without them. Written in ES5 for old browsers. */
(function () {
  // "Select all" checkboxes: <input type=checkbox data-check-all="name-of-boxes">
  var alls = document.querySelectorAll('[data-check-all]');
  for (var i = 0; i < alls.length; i++) {
    alls[i].addEventListener('change', function (e) {
      var name = e.target.getAttribute('data-check-all');
      var boxes = document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
      for (var j = 0; j < boxes.length; j++) { boxes[j].checked = e.target.checked; }
    });
  }
  // Ask before a destructive action: <button data-confirm="...">
  var confirms = document.querySelectorAll('[data-confirm]');
  for (var k = 0; k < confirms.length; k++) {
    confirms[k].addEventListener('click', function (e) {
      if (!window.confirm(e.currentTarget.getAttribute('data-confirm'))) { e.preventDefault(); }
    });
  }
  // Pickers that apply at once: <select data-autosubmit> (no inline handlers: the CSP
  // allows no inline script). The form still has a button for browsers without script.
  var autos = document.querySelectorAll('[data-autosubmit]');
  for (var a = 0; a < autos.length; a++) {
    autos[a].addEventListener('change', function (e) { e.currentTarget.form.submit(); });
  }
  // Print buttons and links: <a href="#" data-print>.
  var prints = document.querySelectorAll('[data-print]');
  for (var p = 0; p < prints.length; p++) {
    prints[p].addEventListener('click', function (e) { e.preventDefault(); window.print(); });
  }
  // One click, one post: after a form is sent, its buttons are disabled. The timeout lets
  // the clicked button's name still go with the form (the entry page reads it).
  var forms = document.querySelectorAll('form[method=post], form[method=POST]');
  for (var f = 0; f < forms.length; f++) {
    forms[f].addEventListener('submit', function (e) {
      var form = e.currentTarget;
      window.setTimeout(function () {
        var buttons = form.querySelectorAll('button[type=submit], button:not([type])');
        for (var b = 0; b < buttons.length; b++) { buttons[b].disabled = true; }
      }, 0);
    });
  }
  // Coming back with the browser's Back button must not leave the buttons dead.
  window.addEventListener('pageshow', function () {
    var dead = document.querySelectorAll('form button[disabled]');
    for (var d = 0; d < dead.length; d++) { dead[d].disabled = false; }
  });
})();
