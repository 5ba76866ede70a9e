/* 执法证查询: looks a certificate number up in the static data file the build writes
   (officers/certificates.json; its format is described in generator/render/lookup.py).
   Every value is inserted with textContent, never as HTML. No request leaves the site. */
(function () {
  "use strict";
  var form = document.getElementById("gs-lookup");
  if (!form) { return; }
  var input = document.getElementById("gs-lookup-number");
  var out = document.getElementById("gs-lookup-result");
  var root = form.getAttribute("data-root") || "./";
  var data = null;
  var pending = false;  // submitted before the data arrived
  var longest = 0;  // once this many characters are typed, an unknown number is unknown

  /* The same normalisation as generator.render.lookup.normalise: NFKC turns full-width
     digits and letters into half-width ones; spaces go; letters are compared upper case. */
  function normalise(text) {
    return String(text).normalize("NFKC").replace(/\s+/g, "").toUpperCase();
  }

  function chineseDate(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!parts) { return iso || ""; }
    return parts[1] + "年" + Number(parts[2]) + "月" + Number(parts[3]) + "日";
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function link(text, url) {
    if (!url) { return document.createTextNode(text); }
    var a = element("a", text);
    a.href = root + url;
    return a;
  }

  function row(table, label, value) {
    if (!value) { return; }
    var tr = element("tr");
    var th = element("th", label);
    th.scope = "row";
    tr.appendChild(th);
    var td = element("td");
    if (typeof value === "string") { td.textContent = value; } else { td.appendChild(value); }
    tr.appendChild(td);
    table.appendChild(tr);
  }

  function showUnknown(number) {
    var box = element("div", null, "gs-result gs-result-unknown");
    var verdict = element("p", null, "gs-verdict");
    verdict.appendChild(element("strong", "未查询到", "gs-state gs-state-unknown"));
    verdict.appendChild(document.createTextNode(" 没有证号为“" + number + "”的执法证件。"));
    box.appendChild(verdict);
    box.appendChild(element("p", "请核对证号后重新输入（只输入证件上的号码）。" +
      "如仍查询不到，该证件不能证明对方是本系统的执法人员：" +
      "请拨打所在执法主体的监督电话核实，也可以在执法人员名录中按执法主体查找。"));
    out.appendChild(box);
  }

  function show(entry, number) {
    out.textContent = "";
    if (!entry) { showUnknown(number); return; }
    var meaning = data.states[entry.state] || { "class": "stopped", "verdict": "证件不能用于执法。" };
    var body = data.bodies[entry.body] || { "name": entry.body, "url": "", "phones": [] };
    var result = element("div", null, "gs-result gs-result-" + meaning["class"]);
    var verdict = element("p", null, "gs-verdict");
    verdict.appendChild(element("strong", entry.state, "gs-state gs-state-" + meaning["class"]));
    verdict.appendChild(document.createTextNode(" " + meaning.verdict));
    result.appendChild(verdict);
    var table = element("table", null, "gs-fields");
    row(table, "执法证号", entry.number);
    row(table, "姓名", link(entry.name, entry.officer_url));
    row(table, "执法主体", link(body.name, body.url));
    row(table, "发证机关", entry.issuer);
    row(table, "执法领域", entry.field);
    row(table, "执法区域", entry.region);
    row(table, "有效期", chineseDate(entry.valid_from) + "至" + chineseDate(entry.valid_to));
    if (entry.state_since) { row(table, entry.state + "日期", chineseDate(entry.state_since)); }
    if (entry.roles && entry.roles.length) { row(table, "角色", entry.roles.join("、")); }
    row(table, "监督电话", body.phones.join("，"));
    result.appendChild(table);
    result.appendChild(element("p", "证件状态按" + chineseDate(data.as_of) + "计算。", "gs-muted"));
    out.appendChild(result);
  }

  function lookup(submitted) {
    var number = normalise(input.value);
    if (!number) { out.textContent = ""; return; }
    if (data === null) {
      pending = pending || submitted;
      out.textContent = "正在载入证件数据…";
      return;
    }
    var entry = Object.prototype.hasOwnProperty.call(data.certificates, number)
      ? data.certificates[number] : null;
    // While typing, say nothing until the number matches or is as long as the longest
    // number there is; on submit, say at once that it is unknown.
    if (entry || submitted || number.length >= longest) {
      show(entry, number);
    } else {
      out.textContent = "";
    }
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); lookup(true); });
  input.addEventListener("input", function () { lookup(false); });
  fetch(form.getAttribute("data-src"))
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (json) {
      data = json;
      Object.keys(data.certificates).forEach(function (key) {
        longest = Math.max(longest, key.length);
      });
      if (input.value) { lookup(pending); }
    })
    .catch(function () {
      out.textContent = "证件数据载入失败，请稍后重试，或在执法人员名录中查找。";
    });
}());
