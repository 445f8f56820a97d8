// Sáng kiến — a little script on top of pages that work without it: the countdown, the live
// "Sáng kiến tương tự" panel, autosave of drafts, and a warning before submitting a duplicate.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var csrf = main ? main.getAttribute("data-csrf") : "";

  function remaining(until) {
    var s = Math.floor((until - Date.now()) / 1000);
    if (s <= 0) return "đã kết thúc";
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return h > 0 ? d + " ngày " + h + " giờ" : d + " ngày";
    if (h > 0) return h + " giờ " + m + " phút";
    return Math.max(m, 1) + " phút";
  }
  function tick() {
    document.querySelectorAll(".countdown[data-until]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("data-until"));
      if (!isNaN(t)) el.textContent = "(còn " + remaining(t) + ")";
    });
  }
  tick();
  setInterval(tick, 30000);

  var form = document.getElementById("initiative-form");
  if (!form) return;

  function val(name) {
    var el = form.elements[name];
    return el ? el.value : "";
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The live similar panel.
  var list = document.getElementById("similar-list");
  var status = document.getElementById("similar-status");
  var warning = document.getElementById("dup-warning");
  var hasDuplicate = false, confirmed = false, seq = 0, timer = null, lastKey = "";
  var VERDICTS = { duplicate: "Trùng lặp", near_duplicate: "Gần trùng", partial_copy: "Sao chép một phần", similar: "Tương tự" };

  function showMatches(data) {
    list.textContent = "";
    hasDuplicate = false;
    var matches = (data && data.matches) || [];
    if (data && data.confidential_similar) {
      list.appendChild(el("li", "v-confidential", "Một sáng kiến bảo mật đã nộp trước có nội dung tương tự."));
    }
    if (!matches.length) {
      status.textContent = (data && data.confidential_similar)
        ? "Chỉ thấy sáng kiến bảo mật có nội dung tương tự:"
        : "Chưa thấy sáng kiến nào giống với nội dung bạn đang nhập.";
      return;
    }
    status.textContent = "Có " + matches.length + " sáng kiến đã nộp gần giống:";
    matches.forEach(function (m) {
      if (m.verdict === "duplicate") hasDuplicate = true;
      var li = el("li", "v-" + m.verdict);
      li.appendChild(el("span", "score", Math.round(m.score * 100) + "%"));
      li.appendChild(el("span", "verdict", VERDICTS[m.verdict] || m.verdict));
      var p = el("p");
      var a = el("a", "", m.title);
      a.href = (m.status === "approved" ? "/thu-vien/" : "/sang-kien/") + m.initiative_id;
      a.target = "_blank";
      a.rel = "noopener";
      p.appendChild(a);
      li.appendChild(p);
      var where = (m.union && m.union.name) ? m.union.name + " · " : "";
      li.appendChild(el("p", "meta", where + m.status_name));
      if (m.copied) li.appendChild(el("p", "copied", "Sao chép " + m.copied));
      list.appendChild(li);
    });
    if (!hasDuplicate && warning) warning.hidden = true;
  }

  function check() {
    var body = {
      title: val("title"), current_situation: val("current_situation"), solution: val("solution"),
      scope: val("scope"), benefits: val("benefits")
    };
    var key = body.title + "\u0000" + body.solution + "\u0000" + body.current_situation;
    if (key === lastKey) return;
    if ((body.title + body.solution).trim().length < 12) return;
    lastKey = key;
    var id = form.getAttribute("data-id");
    if (id) body.exclude_id = Number(id);
    var mine = ++seq;
    status.textContent = "Đang tìm sáng kiến tương tự…";
    fetch("/sang-kien/tuong-tu", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (mine !== seq) return;
      if (data) showMatches(data); else status.textContent = "Chưa kiểm tra được sáng kiến tương tự; sẽ thử lại khi bạn nhập tiếp.";
    }).catch(function () {
      if (mine === seq) status.textContent = "Mất kết nối; sẽ thử lại khi bạn nhập tiếp.";
      lastKey = "";
    });
  }

  // Autosave.
  var saveState = document.getElementById("autosave-status");
  var dirty = false, saving = null, saveTimer = null, submitting = false;

  function autosave() {
    if (!dirty || submitting || val("title").trim().length < 5) return Promise.resolve();
    if (saving) return saving;
    dirty = false;
    var params = new URLSearchParams(new FormData(form));
    params.delete("action");
    saveState.textContent = "Đang lưu…";
    saving = fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin",
      headers: { "X-Autosave": "1", "Content-Type": "application/x-www-form-urlencoded" },
      body: params.toString()
    }).then(function (r) { return r.json().catch(function () { return null; }); }).then(function (a) {
      if (a && a.ok) {
        form.elements["version"].value = a.version;
        if (!form.getAttribute("data-id")) {
          form.setAttribute("data-id", a.id);
          form.setAttribute("action", a.edit_url);
          history.replaceState(null, "", a.edit_url);
        }
        saveState.textContent = "Đã tự động lưu lúc " + a.saved_at.slice(-5);
      } else {
        saveState.textContent = "Chưa tự động lưu: " + ((a && a.message) || "lỗi không xác định") + " Bấm “Lưu nháp” để xem chi tiết.";
      }
    }).catch(function () {
      dirty = true;
      saveState.textContent = "Mất kết nối, chưa lưu được. Sẽ thử lại.";
    }).then(function () { saving = null; });
    return saving;
  }

  form.addEventListener("input", function (e) {
    dirty = true;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(autosave, 2500);
    var n = e.target && e.target.name;
    if (n === "title" || n === "solution" || n === "current_situation" || n === "scope" || n === "benefits") {
      clearTimeout(timer);
      timer = setTimeout(check, 600);
    }
  });
  setInterval(autosave, 20000);

  var benefit = form.elements["estimated_benefit_vnd"];
  if (benefit) benefit.addEventListener("blur", function () {
    var digits = benefit.value.replace(/[.\s\u00a0_đĐ]|VND/gi, "");
    if (/^\d+$/.test(digits)) benefit.value = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  });

  form.addEventListener("submit", function (e) {
    var submitter = e.submitter;
    var isSubmit = submitter && submitter.value === "submit";
    if (isSubmit && submitter.id === "confirm-submit") confirmed = true;
    if (isSubmit && hasDuplicate && !confirmed) {
      e.preventDefault();
      warning.hidden = false;
      document.getElementById("confirm-submit").focus();
      return;
    }
    if (saving) {
      // Wait for the autosave in flight (it changes the version), then send the form.
      e.preventDefault();
      saving.then(function () {
        submitting = true;
        if (submitter && submitter.name) {
          var h = document.createElement("input");
          h.type = "hidden"; h.name = submitter.name; h.value = submitter.value;
          form.appendChild(h);
        }
        form.submit();
      });
      return;
    }
    submitting = true;
    clearTimeout(saveTimer);
  });

  if (val("title") || val("solution")) check();
})();

// Print buttons and confirmations for destructive actions (no inline scripts: CSP).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (b) {
    b.addEventListener("click", function (e) {
      if (!window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
})();
