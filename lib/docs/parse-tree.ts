import { type ParserRuleContext, type ParseTree, PredictionMode } from 'antlr4ng';

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

/** What `createParser` of a dt-sql-parser dialect gives: a generated parser whose root rule is `program`. */
interface DialectParser {
  createParser(
    sql: string,
    onError: () => void,
  ): {
    interpreter: { predictionMode: number };
    buildParseTrees: boolean;
    program(): ParseTree;
  };
}

/** One pass in SLL mode (full LL is many times slower); undefined on a syntax error. */
export function parseProgram(dialect: DialectParser, sql: string): ParseTree | undefined {
  let errors = 0;
  const generated = dialect.createParser(sql, () => {
    errors++;
  });
  generated.interpreter.predictionMode = PredictionMode.SLL;
  generated.buildParseTrees = true;
  const tree = generated.program();
  return errors > 0 ? undefined : tree;
}
