// Upload with a progress bar; falls back to a normal form post without JavaScript.
(function () {
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var box = document.getElementById("progress"), bar = document.getElementById("progress-bar"),
      label = document.getElementById("progress-text"), button = document.getElementById("upload-button");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    box.hidden = false; button.disabled = true; label.textContent = "正在上传…";
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        var pct = Math.round(e.loaded * 100 / e.total);
        bar.style.width = pct + "%";
        label.textContent = pct < 100 ? "正在上传 " + pct + "%" : "上传完成，正在逐行校验…";
      }
    };
    xhr.onload = function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (data && data.redirect) { window.location.href = data.redirect; return; }
      button.disabled = false; box.hidden = true;
      var msg = (data && data.errors && data.errors.length) ? data.errors.join("；") : "上传失败（" + xhr.status + "），请重试。";
      var old = form.querySelector(".upload-error"); if (old) old.remove();
      var div = document.createElement("div"); div.className = "flash flash-error upload-error"; div.textContent = msg;
      form.insertBefore(div, form.firstChild);
    };
    xhr.onerror = function () { button.disabled = false; label.textContent = "网络错误，请重试。"; };
    xhr.send(new FormData(form));
  });
})();
