import type { ParserRuleContext, ParseTree } from 'antlr4ng';

/** Walking the parse trees dt-sql-parser's grammars give, the same for every dialect. */

/** Depth first; `visit` returns whether to go into the node's children. */
export function walk(node: ParseTree, visit: (node: ParseTree) => boolean): void {
  if (!visit(node)) return;
  for (const child of (node as ParserRuleContext).children ?? []) walk(child, visit);
}

/** The first node of a type under `node` (itself included), depth first. */
// biome-ignore lint/suspicious/noExplicitAny: generated context classes have differing constructor signatures
export function find<T>(node: ParseTree, type: abstract new (...args: any[]) => T): T | undefined {
  let found: T | undefined;
  walk(node, (child) => {
    if (found !== undefined) return false;
    if (child instanceof type) {
      found = child;
      return false;
    }
    return true;
  });
  return found;
}

/** An identifier as the engines compare it: quoted kept as written, otherwise lower-cased. */
export function unquote(identifier: string): string {
  return identifier.startsWith('"') && identifier.endsWith('"')
    ? identifier.slice(1, -1).replaceAll('""', '"')
    : identifier.toLowerCase();
}
