// The media page's upload with a progress bar. Without this script the form posts as usual
// (and the page reloads when the server answers); with it, the same request goes through
// XMLHttpRequest so its upload progress can be shown. The CSRF token rides in the form's
// action URL either way. Served as a static asset: the CSP allows no inline script.
(function () {
  'use strict';
  function enhance(form) {
    var bar = form.querySelector('progress');
    var status = form.querySelector('[data-status]');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open('POST', form.action);
      request.setRequestHeader('Accept', 'application/json');
      request.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) {
          bar.max = e.total;
          bar.value = e.loaded;
        }
      });
      request.addEventListener('load', function () {
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = {}; }
        if (request.status >= 200 && request.status < 300) {
          status.textContent = answer.message || 'Uploaded.';
          window.location.reload();
        } else {
          bar.hidden = true;
          status.textContent = answer.error || ('The upload failed (' + request.status + ').');
        }
      });
      request.addEventListener('error', function () {
        bar.hidden = true;
        status.textContent = 'The upload failed: the connection was lost.';
      });
      bar.hidden = false;
      bar.value = 0;
      status.textContent = 'Uploading…';
      request.send(new FormData(form));
    });
  }
  document.querySelectorAll('form[data-media-upload]').forEach(enhance);
}());
