// 搜索: the search page. Queries Gongshi's static index (search-core.js) in the browser.
// Every text from the index goes into the page as text (textContent), never as HTML.
import { SearchIndex, excerpt } from "./search-core.js";

const root = document.querySelector("[data-search-index]");
const form = document.getElementById("gs-search-form");
const input = document.getElementById("gs-search-q");
const status = document.getElementById("gs-search-status");
const list = document.getElementById("gs-search-results");
const more = document.getElementById("gs-search-more");
const selects = [...document.querySelectorAll("select[data-filter]")];
const PAGE = 20;

const siteRoot = new URL(root.dataset.siteRoot, location.href);
const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
if (!input.value) input.focus();

let index;
try {
  index = await SearchIndex.open(new URL(root.dataset.searchIndex, location.href));
} catch (error) {
  status.textContent = "搜索暂时无法使用，请稍后再试，或直接浏览各栏目。";
  throw error;
}

function text(tag, value, className) {
  const element = document.createElement(tag);
  element.textContent = value;
  if (className) element.className = className;
  return element;
}

const keys = new Map(index.meta.filters.map((f) => [f.name, f.key]));

// A province has a thousand bodies: filling the lists costs the first query about 90 ms at
// 100,000 records, so at first each list gets only the value in the address, and the rest
// once the first results are shown.
function fillFilters(all) {
  const byName = new Map(index.meta.filters.map((f) => [f.name, f]));
  for (const select of selects) {
    const filter = byName.get(select.dataset.filter);
    const chosen = select.value || params.get(select.dataset.filter) || "";
    const options = document.createDocumentFragment();
    for (const [value, label, count] of filter ? filter.values : []) {
      if (all || value === chosen) options.append(new Option(`${label}（${count}）`, value));
    }
    select.replaceChildren(select.options[0], options);
    select.value = chosen;
  }
}

// {filter name: value} as chosen.
function chosenFilters() {
  const chosen = {};
  for (const select of selects) if (select.value) chosen[select.dataset.filter] = select.value;
  return chosen;
}

function result([url, title, kind, body, date, state, body_text], query) {
  const item = document.createElement("li");
  item.className = "gs-search-result";
  const link = document.createElement("a");
  const target = new URL(url, siteRoot);
  link.href = target.origin === siteRoot.origin ? target.href : siteRoot.href;
  link.textContent = title;
  item.append(link);
  const shown = state && state !== "公示中" && state !== "有效" ? state : "";
  const facts = [kind, body, date, shown].filter(Boolean).join(" · ");
  if (facts) item.append(text("p", facts, "gs-search-meta"));
  const paragraph = document.createElement("p");
  paragraph.className = "gs-search-excerpt";
  for (const [part, marked] of excerpt(body_text, query)) {
    paragraph.append(marked ? text("mark", part) : document.createTextNode(part));
  }
  item.append(paragraph);
  return item;
}

let latest = 0;
let current = { numbers: [], shown: 0, query: "" };

async function show(ticket) {
  const { numbers, shown, query } = current;
  const next = numbers.slice(shown, shown + PAGE);
  const records = await index.records(next);
  if (ticket !== latest) return;
  list.append(...records.map((record) => result(record, query)));
  current.shown = shown + next.length;
  const rest = numbers.length - current.shown;
  more.hidden = rest <= 0;
  more.textContent = `显示更多（还有 ${rest} 条）`;
}

async function run() {
  const query = input.value.trim();
  const chosen = chosenFilters();
  const url = new URL(location.href);
  url.search = new URLSearchParams({ ...(query ? { q: query } : {}), ...chosen }).toString();
  history.replaceState(null, "", url);
  const ticket = ++latest;
  if (!query && !Object.keys(chosen).length) {
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "请输入要查找的内容，例如公司名称、文书号或执法证号。";
    return;
  }
  status.textContent = "正在搜索…";
  const filters = {};
  for (const [name, value] of Object.entries(chosen)) filters[keys.get(name)] = value;
  const { numbers, partial } = await index.search(query, filters);
  if (ticket !== latest) return;
  current = { numbers, shown: 0, query };
  list.replaceChildren();
  await show(ticket);
  if (ticket !== latest) return;
  status.textContent = !numbers.length ? "没有找到相关内容。请换个说法，或减少筛选条件。"
    : partial ? `没有完全符合的结果，以下 ${numbers.length} 条部分符合。`
    : `找到 ${numbers.length} 条。`;
}

let timer;
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
for (const select of selects) select.addEventListener("change", run);
form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
more.addEventListener("click", () => show(latest));
fillFilters(false);
await run();
fillFilters(true);
