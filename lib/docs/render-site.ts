import { escapeHtml, htmlTable, link, page, scriptJson, sqlBlock, statusBadge } from './html.ts';
import { type ColumnNode, type LineageEdge, nodeKey, type TableKind } from './lineage.ts';
import { lineageSvg } from './lineage-graph.ts';
import { type DocsModel, type EventDoc, edgesOf, type FamilyDoc, type RunDoc, type TableDoc } from './model.ts';

/** The catalog's pages from its model: file name → HTML. Pure; `write-site.ts` puts them on disk. */
export function renderSite(model: DocsModel): Map<string, string> {
  const pages = new Map<string, string>();
  pages.set('index.html', indexPage(model));
  for (const family of model.families) pages.set(familyPage(family.name), familyHtml(model, family));
  for (const event of model.events) pages.set(eventPage(event.name), eventHtml(model, event));
  for (const table of model.tables) pages.set(tablePage(table), tableHtml(model, table));
  return pages;
}

const safe = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '_');
const familyPage = (name: string) => `family-${safe(name)}.html`;
const eventPage = (name: string) => `event-${safe(name)}.html`;
const tablePage = (table: { readonly kind: TableKind; readonly name: string }) =>
  `${table.kind}-${safe(table.name)}.html`;
const nodePage = (node: Pick<ColumnNode, 'kind' | 'table'>) => tablePage({ kind: node.kind, name: node.table });

function indexPage(model: DocsModel): string {
  const byKind = (kind: TableKind) => model.tables.filter((t) => t.kind === kind);
  const families = model.families
    .map(
      (f) =>
        `<div class="card family" data-family="${escapeHtml(f.name)}"><h3>${link(familyPage(f.name), f.name)}</h3>` +
        `${f.enabled ? '' : '<span class="status">disabled</span> '}${statusBadge(f.last?.status)}` +
        `<div class="muted">${escapeHtml(f.events.length)} event(s)${f.stageTable ? ` → stage ${escapeHtml(f.stageTable)}` : ''}</div></div>`,
    )
    .join('\n');
  const events = htmlTable(
    ['event', 'family', 'enabled', 'last run', 'rows', 'late files'],
    model.events.map((e) => [
      link(eventPage(e.name), e.name),
      e.family ? link(familyPage(e.family), e.family) : '',
      e.enabled ? 'yes' : 'no',
      statusBadge(e.last?.status),
      escapeHtml(e.last?.rowsWritten ?? ''),
      escapeHtml(e.last?.lateFiles ?? ''),
    ]),
    ' id="events"',
  );
  const tableList = (kind: TableKind) =>
    `<ul class="tables" data-kind="${kind}">${byKind(kind)
      .map(
        (t) =>
          `<li>${link(tablePage(t), t.name)} <span class="muted">${escapeHtml(t.columns.length)} columns</span></li>`,
      )
      .join('')}</ul>`;
  const reporting = htmlTable(
    ['reporting family', 'procedure', 'depends on', 'tables', 'last run'],
    model.reportingFamilies.map((r) => [
      escapeHtml(r.name),
      `<code>${escapeHtml(r.procedure)}</code>`,
      r.dependsOn.map((d) => link(familyPage(d), d)).join(', '),
      r.tables.map((t) => link(tablePage({ kind: 'reporting', name: t }), t)).join(', '),
      statusBadge(r.last?.status),
    ]),
  );
  const gaps =
    model.lineage.gaps.length === 0
      ? ''
      : `<h2>Lineage not derived</h2>${htmlTable(
          ['file', 'line', 'why'],
          model.lineage.gaps.map((g) => [escapeHtml(g.file), escapeHtml(g.line ?? ''), escapeHtml(g.reason)]),
        )}`;
  const body = `
<h1>Catalog</h1>
<p class="muted">Built ${escapeHtml(model.generatedAt)} from the project's config and SQL and the run reports in the data folder. ${escapeHtml(model.lineage.edges.length)} column lineage edges.</p>
<div class="search"><input id="search" type="search" placeholder="Search families, events, tables, columns (or open index.html#q=auth)" autocomplete="off"></div>
<ul id="search-results"></ul>
<script type="application/json" id="search-index">${scriptJson(searchIndex(model))}</script>
<h2>Product families</h2>
<div class="grid">${families}</div>
<h2>Events</h2>
${events}
<h2>Tables</h2>
<div class="grid"><div class="card"><h3>Raw</h3>${tableList('raw')}</div><div class="card"><h3>Stage</h3>${tableList('stage')}</div><div class="card"><h3>Reporting</h3>${tableList('reporting')}</div></div>
<h2>Reporting model</h2>
${reporting}
<h2 id="last-runs">Last runs</h2>
${runsTable(model.runs)}
${gaps}`;
  return page({ title: 'Catalog', environment: model.environment, body });
}

function runsTable(runs: readonly RunDoc[]): string {
  if (runs.length === 0) return '<p class="muted">No runs in the data folder yet (dap run starts one).</p>';
  return htmlTable(
    [
      'run',
      'trigger',
      'started',
      'status',
      'families',
      'rows written',
      'bytes scanned',
      'late files',
      'duration s',
      'failures',
    ],
    runs.map((r) => [
      `<code>${escapeHtml(r.run_id)}</code>`,
      escapeHtml(r.trigger),
      escapeHtml(r.started_at),
      statusBadge(r.status),
      escapeHtml(r.families),
      escapeHtml(r.rows_written),
      escapeHtml(r.bytes_scanned),
      escapeHtml(r.late_files),
      escapeHtml(r.duration_s),
      escapeHtml(r.failures.join('; ')),
    ]),
    ' id="runs"',
  );
}

function familyHtml(model: DocsModel, family: FamilyDoc): string {
  const stage = model.tables.find((t) => t.kind === 'stage' && t.name === family.stageTable);
  const events = htmlTable(
    ['event', 'enabled', 'last run', 'rows', 'bytes', 'late files'],
    family.events.map((entry) => {
      const e = model.events.find((x) => x.name === entry.name);
      return [
        link(eventPage(entry.name), entry.name),
        entry.enabled ? 'yes' : 'no',
        statusBadge(e?.last?.status),
        escapeHtml(e?.last?.rowsWritten ?? ''),
        escapeHtml(e?.last?.bytesScanned ?? ''),
        escapeHtml(e?.last?.lateFiles ?? ''),
      ];
    }),
  );
  const usedBy = model.reportingFamilies.filter((r) => r.dependsOn.includes(family.name));
  const body = `
<h1><span class="kind">family</span>${escapeHtml(family.name)}</h1>
<p>${escapeHtml(family.description ?? '')}</p>
<dl class="facts"><dt>enabled</dt><dd>${family.enabled ? 'yes' : 'no'}</dd>
<dt>stage table</dt><dd>${stage ? link(tablePage(stage), stage.name) : '<span class="muted">none</span>'}</dd>
<dt>last run</dt><dd>${statusBadge(family.last?.status)} ${escapeHtml(family.last?.runId ?? '')} <span class="muted">${escapeHtml(family.last?.error ?? '')}</span></dd>
<dt>read by</dt><dd>${usedBy.map((r) => `<code>${escapeHtml(r.procedure)}</code>`).join(', ') || '<span class="muted">no reporting family</span>'}</dd></dl>
<h2>Events</h2>
${events}
${stage ? `<h2>Quality checks</h2>${checksTable(stage)}` : ''}`;
  return page({ title: `family ${family.name}`, environment: model.environment, body });
}

function eventHtml(model: DocsModel, event: EventDoc): string {
  const edges = model.lineage.edges.filter((e) => e.via === event.name);
  const raw = event.rawTable ? model.tables.find((t) => t.kind === 'raw' && t.name === event.rawTable) : undefined;
  const stage = model.tables.find((t) => t.kind === 'stage' && t.name === event.stageTable);
  const last = event.last;
  const body = `
<h1><span class="kind">event</span>${escapeHtml(event.name)}</h1>
<dl class="facts"><dt>family</dt><dd>${event.family ? link(familyPage(event.family), event.family) : ''}</dd>
<dt>enabled</dt><dd>${event.enabled ? 'yes' : 'no'}</dd>
<dt>raw table</dt><dd>${raw ? link(tablePage(raw), raw.name) : '<span class="muted">none declared</span>'}</dd>
<dt>stage table</dt><dd>${stage ? link(tablePage(stage), stage.name) : ''}</dd>
<dt>last run</dt><dd>${statusBadge(last?.status)} ${last ? `${escapeHtml(last.runId)} at ${escapeHtml(last.startedAt)}: ${escapeHtml(last.skipped ? 'skipped (no new files)' : `${last.rowsWritten ?? '?'} rows, ${last.bytesScanned ?? '?'} bytes`)}, ${escapeHtml(last.lateFiles)} late file(s)` : ''} <span class="muted">${escapeHtml(last?.error ?? '')}</span></dd></dl>
<h2>Grain</h2>
${event.grain ? `<div class="grain">${escapeHtml(event.grain)}</div>` : '<p class="muted">The transform has no header comment.</p>'}
<h2>Column lineage</h2>
${edgeTable(edges)}
<h2>SQL</h2>
${event.sql ? sqlBlock(event.sql.file, event.sql.text, { open: true }) : '<p class="muted">No transform.</p>'}`;
  return page({ title: `event ${event.name}`, environment: model.environment, body });
}

function tableHtml(model: DocsModel, table: TableDoc): string {
  const { upstream, downstream } = edgesOf(model, { kind: table.kind, table: table.name });
  const columns = htmlTable(
    ['column', 'type', 'description', 'comes from', 'feeds'],
    table.columns.map((c) => {
      const from = upstream.filter((e) => e.to.column === c.name).map((e) => nodeLink(e.from));
      const to = downstream.filter((e) => e.from.column === c.name || e.from.column.startsWith(`${c.name}.`));
      return [
        `<span id="col-${escapeHtml(c.name)}" class="column-name">${escapeHtml(c.name)}</span>${c.partition ? ' <span class="muted">(partition)</span>' : ''}`,
        `<span class="type">${escapeHtml(c.type)}</span>`,
        escapeHtml(c.description ?? ''),
        `<span class="upstream">${[...new Set(from)].join('<br>')}</span>`,
        `<span class="downstream">${[...new Set(to.map((e) => nodeLink(e.to)))].join('<br>')}</span>`,
      ];
    }),
    ' id="columns"',
  );
  const facts = [
    table.family ? `<dt>family</dt><dd>${link(familyPage(table.family), table.family)}</dd>` : '',
    table.events.length > 0
      ? `<dt>events</dt><dd>${table.events.map((e) => link(eventPage(e), e)).join(', ')}</dd>`
      : '',
    table.deduplication
      ? `<dt>deduplication</dt><dd class="dedup">one row per <code>${escapeHtml(table.deduplication.key.join(', '))}</code>, keeping the ${escapeHtml(table.deduplication.keep)} by <code>${escapeHtml(table.deduplication.orderBy.join(', '))}</code></dd>`
      : '',
    table.location
      ? `<dt>location</dt><dd><code>${escapeHtml(table.location)}</code> (${escapeHtml(table.format ?? '')})</dd>`
      : '',
    `<dt>declared in</dt><dd><code>${escapeHtml(table.file)}</code></dd>`,
  ].join('');
  const grain = (table.grain ?? [])
    .map((g) => `<div class="grain"><span class="muted">${escapeHtml(g.from)}:</span> ${escapeHtml(g.text)}</div>`)
    .join('');
  const body = `
<h1><span class="kind">${escapeHtml(table.kind)} table</span>${escapeHtml(table.name)}</h1>
<p>${escapeHtml(table.description ?? '')}</p>
<dl class="facts">${facts}</dl>
${grain ? `<h2>Grain</h2>${grain}` : ''}
<h2 id="columns-heading">Columns</h2>
${columns}
<h2 id="lineage">Lineage</h2>
<div class="lineage-wrap">${lineageSvg({ kind: table.kind, table: table.name }, model.lineage.edges, nodePage)}</div>
${table.kind === 'stage' ? `<h2>Quality checks</h2>${checksTable(table)}` : ''}
${table.sql.length > 0 ? `<h2>SQL</h2>${table.sql.map((s) => sqlBlock(s.title, s.text)).join('\n')}` : ''}`;
  return page({ title: `${table.kind} ${table.name}`, environment: model.environment, body });
}

function checksTable(table: TableDoc): string {
  return htmlTable(
    ['check', 'type', 'severity', 'last result', 'failing rows', 'sample keys', 'run', 'description'],
    table.checks.map((c) => [
      `<span class="check-name" data-check="${escapeHtml(c.name)}">${escapeHtml(c.name)}</span>`,
      escapeHtml(c.type),
      escapeHtml(c.severity),
      `<span class="check-result" data-check="${escapeHtml(c.name)}">${statusBadge(c.last?.status)}</span>`,
      escapeHtml(c.last?.failing_count ?? ''),
      escapeHtml(c.last?.sample_keys.join(', ') ?? ''),
      escapeHtml(c.last ? `${c.last.runId} at ${c.last.startedAt}` : ''),
      escapeHtml(c.last?.error ?? c.description ?? ''),
    ]),
    ' id="checks"',
  );
}

function edgeTable(edges: readonly LineageEdge[]): string {
  return htmlTable(
    ['from', 'to'],
    edges.map((e) => [nodeLink(e.from), nodeLink(e.to)]),
    ' id="lineage-edges"',
  );
}

function nodeLink(node: ColumnNode): string {
  return `<a class="lineage-node" data-node="${escapeHtml(nodeKey(node))}" href="${escapeHtml(nodePage(node))}#col-${escapeHtml(node.column.split('.')[0] ?? '')}">${escapeHtml(`${node.kind} ${node.table}.${node.column}`)}</a>`;
}

/** A description's start, for a search result. */
function brief(text: string | undefined): string {
  const value = text ?? '';
  return value.length > 110 ? `${value.slice(0, 109)}…` : value;
}

/** Entries the search looks through: `n` name, `k` kind, `u` page, `d` detail, `r` rank of the kind. */
function searchIndex(model: DocsModel) {
  const rank: Readonly<Record<string, number>> = { family: 0, event: 1, stage: 2, reporting: 3, raw: 4, column: 5 };
  return [
    ...model.families.map((f) => ({ n: f.name, k: 'family', u: familyPage(f.name), d: brief(f.description), r: 0 })),
    ...model.events.map((e) => ({ n: e.name, k: 'event', u: eventPage(e.name), d: e.family ?? '', r: 1 })),
    ...model.tables.map((t) => ({
      n: t.name,
      k: `${t.kind} table`,
      u: tablePage(t),
      d: brief(t.description),
      r: rank[t.kind] ?? 4,
    })),
    ...model.tables.flatMap((t) =>
      t.columns.map((c) => ({
        n: `${t.name}.${c.name}`,
        k: 'column',
        u: `${tablePage(t)}#col-${c.name}`,
        d: `${t.kind} ${c.type}`,
        r: 5,
      })),
    ),
  ];
}
