import { escapeHtml } from './html.ts';
import { type ColumnNode, type LineageEdge, nodeKey, type TableKind } from './lineage.ts';

/**
 * The lineage picture of one table as inline SVG, laid out at build time: tables in layers left to right (its
 * sources' sources, its sources, the table, what it feeds, what that feeds), each a box listing the columns that
 * take part, and one curve per column edge. No script and no graph library: the page shows it from file://.
 */

const UPSTREAM_DEPTH = 3;
const DOWNSTREAM_DEPTH = 2;
const BOX_WIDTH = 230;
const LAYER_GAP = 110;
const ROW = 18;
const HEADER = 24;
const BOX_GAP = 18;
const MAX_ROWS = 40;

interface TableRef {
  readonly kind: TableKind;
  readonly table: string;
}

const tableKey = (t: TableRef) => `${t.kind}.${t.table}`;

export function lineageSvg(focus: TableRef, edges: readonly LineageEdge[], pageOf: (t: TableRef) => string): string {
  const chosen = neighbourhood(focus, edges);
  if (chosen.edges.length === 0) return '<p class="muted">No column lineage found for this table.</p>';
  const columns = new Map<string, string[]>();
  const add = (node: ColumnNode) => {
    const list = columns.get(tableKey(node)) ?? [];
    if (!list.includes(node.column)) list.push(node.column);
    columns.set(tableKey(node), list);
  };
  for (const edge of chosen.edges) {
    add(edge.from);
    add(edge.to);
  }
  const layers = [...new Set(chosen.layer.values())].sort((a, b) => a - b);
  const boxes = new Map<string, { x: number; y: number; rows: string[]; ref: TableRef }>();
  let height = 0;
  layers.forEach((layer, index) => {
    let y = 10;
    const tables = [...chosen.layer].filter(([, l]) => l === layer).map(([key]) => key);
    for (const key of tables.sort()) {
      const ref = chosen.tables.get(key);
      if (!ref) continue;
      const rows = (columns.get(key) ?? []).sort().slice(0, MAX_ROWS);
      boxes.set(key, { x: 10 + index * (BOX_WIDTH + LAYER_GAP), y, rows, ref });
      y += HEADER + rows.length * ROW + BOX_GAP;
    }
    height = Math.max(height, y);
  });
  const width = 20 + layers.length * (BOX_WIDTH + LAYER_GAP) - LAYER_GAP;
  const rowY = (key: string, column: string) => {
    const box = boxes.get(key);
    const index = box?.rows.indexOf(column) ?? -1;
    return box && index >= 0 ? box.y + HEADER + index * ROW + ROW / 2 : undefined;
  };
  const paths = chosen.edges.flatMap((edge) => {
    const from = boxes.get(tableKey(edge.from));
    const to = boxes.get(tableKey(edge.to));
    const y1 = rowY(tableKey(edge.from), edge.from.column);
    const y2 = rowY(tableKey(edge.to), edge.to.column);
    if (!from || !to || y1 === undefined || y2 === undefined) return [];
    const x1 = from.x + BOX_WIDTH;
    const x2 = to.x;
    const bend = Math.max(40, (x2 - x1) / 2);
    const d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
    const title = `${nodeKey(edge.from)} → ${nodeKey(edge.to)} (${edge.via})`;
    return [
      `<path class="edge" d="${d}" data-from="${escapeHtml(nodeKey(edge.from))}" data-to="${escapeHtml(nodeKey(edge.to))}"><title>${escapeHtml(title)}</title></path>`,
    ];
  });
  const rects = [...boxes].map(([key, box]) => {
    const focused = key === tableKey(focus);
    const rows = box.rows
      .map(
        (column, i) =>
          `<text x="${box.x + 8}" y="${box.y + HEADER + i * ROW + 13}" class="col">${escapeHtml(clip(column))}</text>`,
      )
      .join('');
    return (
      `<g class="table-box kind-${box.ref.kind}${focused ? ' focus' : ''}" data-table="${escapeHtml(key)}">` +
      `<rect x="${box.x}" y="${box.y}" width="${BOX_WIDTH}" height="${HEADER + box.rows.length * ROW}" rx="4"/>` +
      `<a href="${escapeHtml(pageOf(box.ref))}"><text x="${box.x + 8}" y="${box.y + 16}" class="head">${escapeHtml(clip(`${box.ref.kind} ${box.ref.table}`))}</text></a>` +
      `${rows}</g>`
    );
  });
  return (
    `<svg class="lineage" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="column lineage">` +
    `${paths.join('')}${rects.join('')}</svg>`
  );
}

function clip(text: string): string {
  return text.length > 30 ? `${text.slice(0, 29)}…` : text;
}

/** The edges upstream of the table (to a depth) and downstream of it, with each table's layer. */
function neighbourhood(focus: TableRef, edges: readonly LineageEdge[]) {
  const layer = new Map<string, number>([[tableKey(focus), 0]]);
  const tables = new Map<string, TableRef>([[tableKey(focus), focus]]);
  const chosen = new Set<LineageEdge>();
  const walk = (direction: 'up' | 'down', depth: number) => {
    let frontier = new Set([tableKey(focus)]);
    for (let step = 1; step <= depth && frontier.size > 0; step++) {
      const next = new Set<string>();
      for (const edge of edges) {
        const [near, far] = direction === 'up' ? [edge.to, edge.from] : [edge.from, edge.to];
        if (!frontier.has(tableKey(near)) || tableKey(far) === tableKey(near)) continue;
        chosen.add(edge);
        const key = tableKey(far);
        if (!layer.has(key)) {
          layer.set(key, direction === 'up' ? -step : step);
          tables.set(key, { kind: far.kind, table: far.table });
          next.add(key);
        }
      }
      frontier = next;
    }
  };
  walk('up', UPSTREAM_DEPTH);
  walk('down', DOWNSTREAM_DEPTH);
  // An edge drawn must go left to right.
  const drawn = [...chosen].filter((e) => (layer.get(tableKey(e.from)) ?? 0) < (layer.get(tableKey(e.to)) ?? 0));
  return { edges: drawn, layer, tables };
}
