/* 执法证查询: looks a certificate number up in the static data file written by the build.
   Every value is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var form = document.getElementById("gs-lookup");
  if (!form) { return; }
  var input = document.getElementById("gs-lookup-number");
  var out = document.getElementById("gs-lookup-result");
  var root = form.getAttribute("data-root") || "./";
  var data = null;
  var STATES = { "有效": "ok", "已过期": "expired", "尚未生效": "pending",
                 "暂扣": "suspended", "注销": "cancelled", "吊销": "revoked" };
  var VERDICTS = { "有效": "证件有效，可以依法执法。",
                   "已过期": "证件已过有效期，不能用于执法。",
                   "尚未生效": "证件尚未生效，不能用于执法。",
                   "暂扣": "证件已被暂扣，暂扣期间不能执法。",
                   "注销": "证件已注销，不能用于执法。",
                   "吊销": "证件已被吊销，不能用于执法。" };

  function normalise(text) {
    return text.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function link(text, url) {
    var a = element("a", text);
    a.href = root + url;
    return a;
  }

  function row(table, label, value) {
    var tr = element("tr");
    tr.appendChild(element("th", label));
    var td = element("td");
    if (typeof value === "string") { td.textContent = value; } else { td.appendChild(value); }
    tr.appendChild(td);
    table.appendChild(tr);
  }

  function show(entry, number) {
    out.textContent = "";
    if (!entry) {
      var box = element("div", null, "gs-result gs-result-unknown");
      box.appendChild(element("p", "未查询到执法证号“" + number + "”。", "gs-verdict"));
      box.appendChild(element("p", "请核对证号后重新输入；如执法人员出示的证件查询不到，" +
                                   "可以向所在执法主体的监督电话反映。"));
      out.appendChild(box);
      return;
    }
    var kind = STATES[entry.state] || "stopped";
    var result = element("div", null, "gs-result gs-result-" + kind);
    var verdict = element("p", null, "gs-verdict");
    verdict.appendChild(element("strong", entry.state, "gs-state gs-state-" + kind));
    verdict.appendChild(document.createTextNode(" " + (VERDICTS[entry.state] || "")));
    result.appendChild(verdict);
    var table = element("table", null, "gs-fields");
    row(table, "执法证号", entry.number);
    row(table, "姓名", link(entry.name, entry.officer_url));
    row(table, "执法主体", entry.body_url ? link(entry.body, entry.body_url) : entry.body);
    row(table, "发证机关", entry.issuer);
    row(table, "执法领域", entry.field);
    row(table, "执法区域", entry.region);
    row(table, "有效期", entry.valid_from + "至" + entry.valid_to);
    if (entry.state_since) { row(table, entry.state + "日期", entry.state_since); }
    result.appendChild(table);
    out.appendChild(result);
  }

  function lookup(submitted) {
    var number = normalise(input.value);
    if (!number) { out.textContent = ""; return; }
    if (data === null) { out.textContent = "正在载入证件数据…"; return; }
    var entry = Object.prototype.hasOwnProperty.call(data.certificates, number)
      ? data.certificates[number] : null;
    if (entry || submitted) { show(entry, number); } else { out.textContent = ""; }
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); lookup(true); });
  input.addEventListener("input", function () { lookup(false); });
  fetch(form.getAttribute("data-src"))
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (json) { data = json; if (input.value) { lookup(false); } })
    .catch(function () { out.textContent = "证件数据载入失败，请稍后重试或查看执法人员名录。"; });
}());
