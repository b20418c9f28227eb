/**
 * Spreadsheet formula injection (CSV injection): a text cell that starts with `=`, `@`, a tab or a carriage return,
 * or with `+` or `-` without being a number, is taken by Excel, LibreOffice and Google Sheets for a formula when a
 * person opens an export. dap keeps such values as they arrived (they are data), counts them per file and per
 * column, and neutralises them in every export it writes for people.
 */

const FORMULA_START = /^[=@\t\r]/;
const SIGNED = /^[+-]/;
const SIGNED_NUMBER = /^[+-](?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether a spreadsheet would read the text as a formula. `-12.5` and `+3` are numbers, not formulas. */
export function isFormulaLike(text: string): boolean {
  if (FORMULA_START.test(text)) return true;
  return SIGNED.test(text) && !SIGNED_NUMBER.test(text);
}

/**
 * The text made safe to open in a spreadsheet: a formula-like value is prefixed with `'`, which spreadsheets show
 * as text and do not evaluate (OWASP's advice). Anything else is returned unchanged.
 */
export function neutraliseFormula(text: string): string {
  return isFormulaLike(text) ? `'${text}` : text;
}
