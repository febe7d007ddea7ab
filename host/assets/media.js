// The media page's upload with a progress bar. Without this script the form posts as usual
// (all chosen files in one request, whose body is capped at the upload limit plus 1 MiB) and
// the page reloads when the server answers. With it, each file goes in a request of its own
// (so each may be as large as the limit) through XMLHttpRequest, whose upload progress is
// shown over all files; the page reloads after the last one. The CSRF token rides in the
// form's action URL either way. Served as a static asset, loaded with the response's CSP
// nonce (the CSP allows no other script).
(function () {
  'use strict';

  function enhance(form) {
    var input = form.querySelector('input[type=file]');
    var bar = form.querySelector('progress');
    var status = form.querySelector('[data-status]');

    // Sends files[index..] one by one; `sent` bytes of earlier files are done.
    function send(files, index, sent, total, messages) {
      if (index === files.length) {
        status.textContent = messages.join(' ');
        window.location.reload();
        return;
      }
      var file = files[index];
      var body = new FormData();
      body.append('file', file, file.name);
      var request = new XMLHttpRequest();
      request.open('POST', form.action);
      request.setRequestHeader('Accept', 'application/json');
      request.upload.addEventListener('progress', function (e) {
        bar.max = total;
        bar.value = sent + (e.lengthComputable ? e.loaded * file.size / e.total : 0);
      });
      request.addEventListener('load', function () {
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = {}; }
        if (request.status >= 200 && request.status < 300) {
          messages.push(answer.message || (file.name + ' is uploaded.'));
          send(files, index + 1, sent + file.size, total, messages);
        } else {
          bar.hidden = true;
          messages.push(answer.error || (file.name + ': the upload failed (' + request.status + ').'));
          status.textContent = messages.join(' ');
        }
      });
      request.addEventListener('error', function () {
        bar.hidden = true;
        status.textContent = file.name + ': the upload failed, the connection was lost.';
      });
      request.send(body);
    }

    // Says the form is handled here (the CSP let the script run), for themes and tests.
    form.setAttribute('data-enhanced', '');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      var total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
      bar.hidden = false;
      bar.value = 0;
      status.textContent = 'Uploading…';
      send(files, 0, 0, total || 1, []);
    });
  }

  document.querySelectorAll('form[data-media-upload]').forEach(enhance);
}());
