/**
 * The one stylesheet and the one script every page of the catalog inlines: no file to fetch, so a page works from
 * file:// and offline. The script is the search: it reads the index embedded in index.html and the query from the
 * box or the URL (`index.html#q=auth`), and builds the results with DOM calls (never innerHTML: names are config).
 */

export const SITE_CSS = `
:root { --fg: #1d2430; --muted: #667085; --line: #d8dde6; --bg: #f7f8fa; --accent: #1f5fbf;
  --ok: #177245; --bad: #b42318; --warn: #a15c07; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
header { display: flex; gap: 18px; align-items: baseline; padding: 10px 24px; background: #14213d; color: #fff; }
header a { color: #fff; text-decoration: none; }
header .home { font-weight: 700; font-size: 16px; }
header .env { color: #c9d3e6; flex: 1; }
main { padding: 16px 24px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h1 .kind { color: var(--muted); font-weight: 400; font-size: 16px; margin-right: 6px; }
h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
a { color: var(--accent); }
.muted { color: var(--muted); }
table { border-collapse: collapse; margin: 6px 0; width: 100%; }
td a.lineage-node { word-break: break-all; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
code, pre, td.type { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
td.type { color: #5b3f99; word-break: break-all; }
pre { background: var(--bg); border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 560px; }
.status { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; background: #eef0f4; }
.status.succeeded, .status.passed { background: #dcf5e7; color: var(--ok); }
.status.failed, .status.error { background: #fde3e1; color: var(--bad); }
.status.partial, .status.warned, .status.skipped { background: #fdf0d5; color: var(--warn); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card h3 { margin: 0 0 4px; font-size: 15px; }
.search { margin: 10px 0 4px; }
.search input { width: 100%; max-width: 560px; padding: 8px 10px; font-size: 15px; border: 1px solid var(--line); border-radius: 6px; }
#search-results { list-style: none; padding: 0; margin: 8px 0; }
#search-results li { padding: 3px 0; }
#search-results .kind { display: inline-block; min-width: 86px; color: var(--muted); font-size: 12px; }
.lineage-wrap { overflow: auto; border: 1px solid var(--line); border-radius: 6px; background: #fcfcfd; padding: 6px; }
svg.lineage .edge { fill: none; stroke: #8aa4cc; stroke-width: 1.3; }
svg.lineage .edge:hover { stroke: var(--accent); stroke-width: 2.5; }
svg.lineage rect { fill: #fff; stroke: #9aa5b8; }
svg.lineage .kind-raw rect { fill: #fff8ec; }
svg.lineage .kind-stage rect { fill: #eef5ff; }
svg.lineage .kind-reporting rect { fill: #f1fbf4; }
svg.lineage .focus rect { stroke: var(--accent); stroke-width: 2; }
svg.lineage text { font: 12px ui-monospace, Menlo, Consolas, monospace; fill: var(--fg); }
svg.lineage text.head { font-weight: 700; fill: var(--accent); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 6px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.grain { white-space: pre-wrap; background: var(--bg); border-left: 3px solid var(--accent); padding: 6px 10px; margin: 4px 0; }
`;

export const SITE_JS = `
(function () {
  var data = document.getElementById('search-index');
  var input = document.getElementById('search');
  var list = document.getElementById('search-results');
  if (!data || !input || !list) return;
  var entries = JSON.parse(data.textContent || '[]');
  function queryFromHash() {
    var match = /(?:^#|&)q=([^&]*)/.exec(location.hash);
    return match ? decodeURIComponent(match[1].replace(/\\+/g, ' ')) : '';
  }
  function render(query) {
    var words = query.toLowerCase().split(/\\s+/).filter(Boolean);
    while (list.firstChild) list.removeChild(list.firstChild);
    if (words.length === 0) { list.setAttribute('data-query', ''); return; }
    var found = entries.filter(function (e) {
      var text = (e.n + ' ' + e.k + ' ' + (e.d || '')).toLowerCase();
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    });
    found.sort(function (a, b) {
      var an = a.n.toLowerCase().indexOf(words[0]) >= 0 ? 0 : 1;
      var bn = b.n.toLowerCase().indexOf(words[0]) >= 0 ? 0 : 1;
      return an - bn || a.r - b.r || a.n.localeCompare(b.n);
    });
    found.slice(0, 200).forEach(function (e) {
      var li = document.createElement('li');
      li.className = 'result';
      li.setAttribute('data-kind', e.k);
      li.setAttribute('data-name', e.n);
      var kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = e.k;
      var a = document.createElement('a');
      a.href = e.u;
      a.textContent = e.n;
      li.appendChild(kind);
      li.appendChild(a);
      if (e.d) {
        var d = document.createElement('span');
        d.className = 'muted';
        d.textContent = ' ' + e.d;
        li.appendChild(d);
      }
      list.appendChild(li);
    });
    list.setAttribute('data-query', query);
    list.setAttribute('data-count', String(found.length));
  }
  input.addEventListener('input', function () {
    history.replaceState(null, '', '#q=' + encodeURIComponent(input.value));
    render(input.value);
  });
  function fromHash() { input.value = queryFromHash(); render(input.value); }
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
`;
