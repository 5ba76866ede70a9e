// 搜索: query the Pagefind index of the site (built by gongshi build from the public records).
// Every text from the index is put into the page as text, never as HTML: the excerpt's
// <mark> highlights are rebuilt as elements from the parsed excerpt's text.
const root = document.querySelector("[data-pagefind-bundle]");
const form = document.getElementById("gs-search-form");
const input = document.getElementById("gs-search-q");
const status = document.getElementById("gs-search-status");
const list = document.getElementById("gs-search-results");
const selects = [...document.querySelectorAll("select[data-filter]")];
const PAGE = 20;

const bundle = new URL(root.dataset.pagefindBundle, location.href);
const siteRoot = new URL(root.dataset.siteRoot, location.href);
const pagefind = await import(new URL("pagefind.js", bundle).href);
await pagefind.options({ basePath: bundle.pathname, baseUrl: siteRoot.pathname });
pagefind.init();

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
if (!input.value) input.focus();

function text(tag, value, className) {
  const element = document.createElement(tag);
  element.textContent = value;
  if (className) element.className = className;
  return element;
}

// Pagefind's Chinese segmentation puts zero-width spaces between words: never show them.
const clean = (value) => value.replace(/[\u200b-\u200d\ufeff]/g, "");

function excerpt(html) {
  // Pagefind's excerpt is HTML with <mark>: keep the marks, take everything else as text.
  const paragraph = document.createElement("p");
  paragraph.className = "gs-search-excerpt";
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
  for (const node of parsed.childNodes) {
    const part = node.nodeName === "MARK" ? text("mark", clean(node.textContent))
      : document.createTextNode(clean(node.textContent));
    paragraph.append(part);
  }
  return paragraph;
}

async function fillFilters() {
  const available = await pagefind.filters();
  for (const select of selects) {
    const values = Object.keys(available[select.dataset.filter] || {}).sort();
    if (select.dataset.filter === "年份") values.reverse();
    for (const value of values) select.append(new Option(value, value));
    select.value = params.get(select.dataset.filter) || "";
  }
}

function chosenFilters() {
  const filters = {};
  for (const select of selects) if (select.value) filters[select.dataset.filter] = select.value;
  return filters;
}

// Names are also indexed as character pairs (search/browser.py): a query's pairs find a name
// however the dictionary cuts it; its words find topics in the text. Pair hits come first.
function pairsOf(query) {
  return query.split(/\s+/).filter(Boolean)
    .flatMap((run) => (run.length > 2 ? [...Array(run.length - 1).keys()].map((i) => run.slice(i, i + 2)) : [run]))
    .join(" ");
}

async function find(query, filters) {
  const options = { filters, sort: query ? undefined : { date: "desc" } };
  if (!query) return (await pagefind.search(null, options)).results;
  const pairs = pairsOf(query);
  const searches = [pagefind.search(pairs, options)];
  if (pairs !== query) searches.push(pagefind.search(query, options));
  const seen = new Set();
  return (await Promise.all(searches)).flatMap((search) => search.results)
    .filter((result) => !seen.has(result.id) && seen.add(result.id));
}

let latest = 0;
async function run() {
  const query = input.value.trim();
  const filters = chosenFilters();
  const url = new URL(location.href);
  url.search = new URLSearchParams({ ...(query ? { q: query } : {}), ...filters }).toString();
  history.replaceState(null, "", url);
  const ticket = ++latest;
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    status.textContent = "请输入要查找的内容，例如公司名称、文书号或执法证号。";
    return;
  }
  status.textContent = "正在搜索…";
  const found = await find(query, filters);
  if (ticket !== latest) return;
  const results = await Promise.all(found.slice(0, PAGE).map((r) => r.data()));
  if (ticket !== latest) return;
  status.textContent = found.length
    ? `找到 ${found.length} 条${found.length > PAGE ? `，显示前 ${PAGE} 条` : ""}。`
    : "没有找到相关内容。请换个说法，或减少筛选条件。";
  list.replaceChildren(...results.map((data) => {
    const item = document.createElement("li");
    item.className = "gs-search-result";
    const heading = document.createElement("a");
    heading.href = data.url;
    heading.textContent = clean(data.meta.title || data.url);
    item.append(heading);
    const facts = [data.meta.kind, data.meta.body, data.meta.date].filter(Boolean).join(" · ");
    if (facts) item.append(text("p", clean(facts), "gs-search-meta"));
    item.append(excerpt(data.excerpt));
    return item;
  }));
}

let timer;
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
for (const select of selects) select.addEventListener("change", run);
form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
await fillFilters();
await run();
