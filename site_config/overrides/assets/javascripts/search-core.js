// The browser side of Gongshi's search index (written by search/browser.py). Terms are made
// exactly as search/terms.py makes them; a browser test compares the two.
//
// meta.json.gz once per visit (revalidated), then per query: the term and tail files of the
// query's terms and filters, and the record files of the results shown.

const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3134f}";
const RUNS = new RegExp(`([${HAN}]+)|([0-9a-z]+)`, "gu");
const MAX_TERMS = 32; // one bit each in a Uint32Array
// The layout of the index read here (search/browser.py FORMAT): a build refuses a project
// whose copy of this file reads another.
export const INDEX_FORMAT = 3;

export const normalize = (text) => text.normalize("NFKC").toLowerCase();

export function runs(text) {
  return [...normalize(text).matchAll(RUNS)].map((m) => (m[1] ? [m[1], true] : [m[2], false]));
}

export function pairs(run) {
  const chars = Array.from(run);
  if (chars.length < 2) return [run];
  return chars.slice(1).map((c, i) => chars[i] + c);
}

export const exact = (text) => "^" + runs(text).map(([run]) => run).join("");

// [term, units covered] for each term of a query, as search/terms.py query_terms.
export function queryTerms(text) {
  const terms = new Map();
  let unit = 0;
  const add = (term, units) => terms.set(term, [...(terms.get(term) || []), ...units]);
  for (const [run, han] of runs(text)) {
    if (!han) { add(run, [unit]); unit += 1; continue; }
    const length = Array.from(run).length;
    pairs(run).forEach((term, i) => {
      add(term, Array.from({ length: Array.from(term).length }, (_, k) => unit + i + k));
    });
    unit += length;
  }
  return [...terms.entries()];
}

// A long query (a full company name) needs no overlapping pairs to be precise: every other
// pair still covers every character, and halves the term files to fetch.
export function fewer(terms, most = 8) {
  if (terms.length <= most) return terms;
  const chosen = new Set();
  const covered = new Set();
  let next = 0; // the first unit after the last chosen term
  terms.forEach(([, units], i) => {
    if (units[0] < next) return;
    chosen.add(i);
    units.forEach((u) => covered.add(u));
    next = units[units.length - 1] + 1;
  });
  terms.forEach(([, units], i) => { // the last character of a run of odd length
    if (units.some((u) => !covered.has(u))) { chosen.add(i); units.forEach((u) => covered.add(u)); }
  });
  return terms.filter((_, i) => chosen.has(i));
}

export function shard(term, shards) {
  let value = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(term)) {
    value = Math.imul(value ^ byte, 0x01000193) >>> 0;
  }
  return value % shards;
}

async function gunzipText(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A server that sends the .gz as Content-Encoding: gzip has already unpacked it.
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

async function gunzipJSON(url, options) {
  return JSON.parse(await gunzipText(url, options));
}

// A term file (and a tail file) is one JSON object a line, one for each range of records that
// has its terms.
async function gunzipLines(url) {
  return (await gunzipText(url)).split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

export class SearchIndex {
  static async open(base) {
    // Revalidated on every visit: it names the build (stamp) that the other files belong to.
    return new SearchIndex(base, await gunzipJSON(new URL("meta.json.gz", base), { cache: "no-cache" }));
  }

  constructor(base, meta) {
    this.base = base;
    this.meta = meta;
    this.files = new Map();
  }

  file(folder, n) {
    const url = new URL(`${folder}/${n}.json.gz?v=${this.meta.stamp}`, this.base);
    if (!this.files.has(url.href)) this.files.set(url.href, folder === "records" ? gunzipJSON(url) : gunzipLines(url));
    return this.files.get(url.href);
  }

  // A term's lines: its term file's, one for each range but the last, then its tail file's,
  // for the last range of records (when there are several).
  async lines(term) {
    const [terms, tail] = await Promise.all([
      this.file("terms", shard(term, this.meta.terms)),
      this.meta.tail ? this.file("tail", shard(term, this.meta.tail)) : [],
    ]);
    return [...terms, ...tail];
  }

  // term → [record numbers, weights] (empty when no record has it). A term's postings are
  // in the lines of the ranges it is in, each [differences (the first from 0), weights?].
  async postings(terms) {
    const found = new Map();
    await Promise.all(terms.map(async (term) => {
      const lists = (await this.lines(term)).map((line) => line[term]).filter(Boolean);
      if (!lists.length) { found.set(term, [[], []]); return; }
      const numbers = new Int32Array(lists.reduce((sum, [deltas]) => sum + deltas.length, 0));
      const weights = lists.some((list) => list[1]) ? new Array(numbers.length).fill(1) : null;
      let i = 0;
      for (const [deltas, marks] of lists) {
        let n = 0;
        deltas.forEach((d, j) => { n += d; numbers[i + j] = n; });
        if (marks) marks.forEach((w, j) => { weights[i + j] = w; });
        i += deltas.length;
      }
      found.set(term, [numbers, weights]);
    }));
    return found;
  }

  // Records by number: [url, title, type, body, date, status, text].
  async records(numbers) {
    const chunk = this.meta.chunk;
    return Promise.all(numbers.map(async (n) => (await this.file("records", Math.floor(n / chunk)))[n % chunk]));
  }

  // The record numbers that match, best first, and whether they only match in part.
  // filters: {key: value}, e.g. {y: "2025", t: "行政处罚"}.
  async search(query, filters = {}) {
    const terms = fewer(queryTerms(query)).slice(0, MAX_TERMS);
    const common = this.meta.common || {};
    const rare = terms.filter(([term]) => !(term in common));
    // Common terms cost many bytes and tell little: first try without them, taking the
    // characters they cover as matched; if that finds nothing, use every term.
    if (rare.length && rare.length < terms.length) {
      const skipped = new Set(terms.filter(([term]) => term in common).flatMap(([, units]) => units));
      const found = await this.match(query, rare, skipped, filters);
      if (found.numbers.length && !found.partial) return found;
    }
    return this.match(query, terms, new Set(), filters);
  }

  async match(query, terms, free, filters) {
    const N = this.meta.records;
    const exactTerm = terms.length ? exact(query) : null;
    const filterTerms = Object.entries(filters).filter(([, v]) => v).map(([k, v]) => `${k}:${v}`);
    const wanted = [...terms.map(([t]) => t), ...filterTerms, ...(exactTerm ? [exactTerm] : [])];
    const postings = await this.postings([...new Set(wanted)]);

    let allowed = null;
    if (filterTerms.length) {
      const hits = new Uint8Array(N);
      for (const term of filterTerms) for (const n of postings.get(term)[0]) hits[n] += 1;
      allowed = hits.map((h) => (h === filterTerms.length ? 1 : 0));
    }
    if (!terms.length) {
      const numbers = [];
      // Numbered oldest first (search/browser.py): counting down lists the newest first.
      if (allowed) for (let n = N - 1; n >= 0; n -= 1) if (allowed[n]) numbers.push(n);
      return { numbers, partial: false };
    }

    const mask = new Uint32Array(N);
    const score = new Float32Array(N);
    const touched = [];
    const units = new Map(); // unit → the bits of the terms covering it
    terms.forEach(([term, covers], bit) => {
      for (const u of covers) {
        if (!free.has(u)) units.set(u, ((units.get(u) || 0) | (1 << bit)) >>> 0);
      }
      const [numbers, weights] = postings.get(term);
      const idf = Math.log(1 + (N - numbers.length + 0.5) / (numbers.length + 0.5));
      numbers.forEach((n, i) => {
        if (allowed && !allowed[n]) return;
        if (mask[n] === 0) touched.push(n);
        mask[n] = (mask[n] | (1 << bit)) >>> 0;
        score[n] += idf * (weights ? weights[i] : 1);
      });
    });
    if (exactTerm) for (const n of postings.get(exactTerm)[0]) if (mask[n]) score[n] += 1000;

    const required = [...units.values()];
    const covered = (n) => required.reduce((sum, bits) => sum + ((mask[n] & bits) ? 1 : 0), 0);
    let numbers = touched.filter((n) => covered(n) === required.length);
    let partial = false;
    if (!numbers.length) {
      numbers = touched.filter((n) => covered(n) * 2 >= required.length);
      partial = numbers.length > 0;
    }
    numbers.sort((a, b) => score[b] - score[a] || b - a); // equal scores: newest first
    return { numbers, partial };
  }
}

// The excerpt of a record's text: [[text, marked]...] around the first place the query
// matches, marking every run of the query and every pair of it found in the text.
export function excerpt(text, query, width = 110) {
  const chars = Array.from(text);
  const folded = chars.map((c) => {
    const n = normalize(c);
    return Array.from(n).length === 1 ? n : c;
  });
  const needles = runs(query).flatMap(([run, han]) => (han ? [run, ...pairs(run)] : [run]))
    .map((needle) => Array.from(needle)).filter((needle) => needle.length);
  const marked = new Uint8Array(chars.length);
  for (const needle of needles) {
    for (let i = 0; i + needle.length <= folded.length; i += 1) {
      if (needle.every((c, k) => folded[i + k] === c)) marked.fill(1, i, i + needle.length);
    }
  }
  const first = marked.indexOf(1);
  const start = first > 30 ? first - 30 : 0;
  const end = Math.min(chars.length, start + width);
  const parts = start > 0 ? [["…", false]] : [];
  for (let i = start; i < end; i += 1) {
    const last = parts[parts.length - 1];
    const on = marked[i] === 1;
    if (last && last[1] === on && last[0] !== "…") last[0] += chars[i];
    else parts.push([chars[i], on]);
  }
  if (end < chars.length) parts.push(["…", false]);
  return parts;
}
