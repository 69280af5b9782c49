/* The export page's progress bar: polls the job's status every second and moves the bar;
   when the job ends, reloads the page to show the download link or the reason it failed.
   ES5 for old browsers; without XMLHttpRequest or JSON it just reloads every 3 seconds. */
(function () {
  var box = document.getElementById('export-job');
  if (!box) { return; }
  var url = box.getAttribute('data-status-url');
  var bar = box.querySelector('[data-role=bar]');
  var state = box.querySelector('[data-role=state]');
  var rowsFormat = box.getAttribute('data-rows-format');
  if (!window.XMLHttpRequest || !window.JSON) {
    window.setTimeout(function () { window.location.reload(); }, 3000);
    return;
  }
  function show(job) {
    bar.style.width = job.percent + '%';
    bar.setAttribute('aria-valuenow', job.percent);
    bar.innerHTML = job.percent + '%';
    var text = job.label;
    if (job.total !== null) {
      text += '：' + rowsFormat.replace('%(done)s', job.done).replace('%(total)s', job.total);
    }
    state.innerHTML = '';
    state.appendChild(document.createTextNode(text));
  }
  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', url, true);
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var job = null;
      if (xhr.status === 200) {
        try { job = JSON.parse(xhr.responseText); } catch (e) { job = null; }
      }
      if (job) {
        show(job);
        if (job.status !== 'queued' && job.status !== 'running') {
          window.location.reload();
          return;
        }
      }
      window.setTimeout(poll, job ? 1000 : 5000);
    };
    xhr.send(null);
  }
  window.setTimeout(poll, 1000);
})();
