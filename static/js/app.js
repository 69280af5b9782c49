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
})();
