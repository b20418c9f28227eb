import { SITE_CSS, SITE_JS } from './site-assets.ts';

/** HTML building blocks of the catalog. Every value from config goes through `escapeHtml`: config text is untrusted. */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number | boolean | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** JSON inside a `<script type="application/json">`: no `<` (so no `</script>`), no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

export function page(input: { readonly title: string; readonly environment: string; readonly body: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)} · dap catalog</title>
<style>${SITE_CSS}</style>
</head>
<body>
<header><a class="home" href="index.html">dap catalog</a><span class="env">environment ${escapeHtml(input.environment)}</span><a href="index.html#q=">search</a></header>
<main>
${input.body}
</main>
<script>${SITE_JS}</script>
</body>
</html>
`;
}

/** A table of rows of cells already rendered (each cell's HTML is the caller's, escaped). */
export function htmlTable(headers: readonly string[], rows: readonly (readonly string[])[], attrs = ''): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${attrs}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

export function statusBadge(status: string | undefined): string {
  if (status === undefined) return '<span class="status none">no run yet</span>';
  return `<span class="status ${escapeHtml(status.toLowerCase())}">${escapeHtml(status)}</span>`;
}

/** SQL folded under its title; `open` shows it unfolded. */
export function sqlBlock(title: string, text: string, options: { readonly open?: boolean } = {}): string {
  return `<details class="sql"${options.open ? ' open' : ''}><summary>${escapeHtml(title)}</summary><pre><code>${escapeHtml(text)}</code></pre></details>`;
}
