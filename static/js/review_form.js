/* The review form: what is written in 指出问题 is offered to the 整改 rows as it is typed
   (numbered points one per row), so the problem is not typed twice. A row the reviewer has
   changed is left alone. Without JavaScript the server does the same when the form is saved
   (a row's empty problem takes 指出问题). ES5 for old browsers. */
(function () {
  var source = document.getElementById("id_problems");
  if (!source) { return; }
  var pointRe = /^\s*(?:[（(]?\d{1,2}[)）.、．]|[一二三四五六七八九十]{1,3}、)\s*/;
  function points(text) {
    var lines = text.split(/\r?\n/), numbered = [], i, line;
    for (i = 0; i < lines.length; i++) {
      line = lines[i].replace(/^\s+|\s+$/g, "");
      if (line && pointRe.test(line)) { numbered.push(line.replace(pointRe, "").replace(/^\s+|\s+$/g, "")); }
    }
    if (numbered.length >= 2) { return numbered; }
    text = text.replace(/^\s+|\s+$/g, "");
    return text ? [text] : [];
  }
  function offer() {
    var offered = points(source.value);
    var rows = document.querySelectorAll("textarea[name^='items-'][name$='-problem']");
    for (var i = 0; i < rows.length; i++) {
      var box = rows[i], was = box.getAttribute("data-offered") || "";
      var now = i < offered.length ? offered[i] : "";
      if (box.value === "" || box.value === was) { box.value = now; }
      box.setAttribute("data-offered", now);
    }
  }
  source.addEventListener("input", offer);
  source.addEventListener("change", offer);
}());
