/**
 * The few SpreadsheetML parts an XLSX reader needs, parsed from their text: the workbook's sheets, the relationships
 * that say which part holds each, the styles that tell a date from a number, the shared strings, and worksheet rows.
 * Pure and incremental where a part can be large (shared strings, worksheets): text is pushed as it is inflated and
 * complete elements come out, so memory holds one element at a time, not the part.
 */

export interface WorkbookSheet {
  readonly name: string;
  readonly relationshipId: string;
}

export interface WorkbookPart {
  readonly sheets: readonly WorkbookSheet[];
  /** Serial dates count from 1904-01-01 (Excel for Mac's old default) instead of 1900. */
  readonly date1904: boolean;
}

export interface Relationship {
  readonly type: string;
  /** The target part's name in the archive, resolved against the part that refers to it. */
  readonly target: string;
}

/** One `<row>` of a worksheet: its 1-based number and its cells by 0-based column, holes left undefined. */
export interface SheetRow {
  readonly row: number;
  readonly cells: readonly RawCell[];
}

/** A cell as the worksheet stores it, before shared strings and styles give it a value. */
export interface RawCell {
  /** The `t` attribute: s, str, inlineStr, b, e, n, d (absent means n). */
  readonly type: string | undefined;
  /** The `s` attribute: an index into the styles' cell formats. */
  readonly style: number;
  /** The cached `<v>` text, or the inline string's text; undefined when the cell holds none. */
  readonly value: string | undefined;
  readonly formula: boolean;
}

export function parseWorkbook(xml: string): WorkbookPart {
  const sheets: WorkbookSheet[] = [];
  for (const tag of tagsNamed(xml, 'sheet')) {
    const name = attribute(tag, 'name');
    const relationshipId = prefixedAttribute(tag, 'id');
    if (name !== undefined && relationshipId !== undefined) sheets.push({ name: decodeXml(name), relationshipId });
  }
  const properties = tagsNamed(xml, 'workbookPr')[0];
  const date1904 = properties === undefined ? false : ['1', 'true'].includes(attribute(properties, 'date1904') ?? '');
  return { sheets, date1904 };
}

/** `<Relationship>`s by id; targets resolved against the folder of the part the relationships belong to. */
export function parseRelationships(xml: string, partName: string): Map<string, Relationship> {
  const folder = partName.includes('/') ? partName.slice(0, partName.lastIndexOf('/') + 1) : '';
  const relationships = new Map<string, Relationship>();
  for (const tag of tagsNamed(xml, 'Relationship')) {
    const id = attribute(tag, 'Id');
    const target = attribute(tag, 'Target');
    if (id === undefined || target === undefined || attribute(tag, 'TargetMode') === 'External') continue;
    relationships.set(id, { type: attribute(tag, 'Type') ?? '', target: resolvePart(folder, decodeXml(target)) });
  }
  return relationships;
}

/** The relationships part of a part: `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`. */
export function relationshipsPartOf(partName: string): string {
  const at = partName.lastIndexOf('/');
  return `${partName.slice(0, at + 1)}_rels/${partName.slice(at + 1)}.rels`;
}

function resolvePart(folder: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : folder + target).split('/');
  const resolved: string[] = [];
  for (const part of parts) {
    if (part === '..') resolved.pop();
    else if (part !== '.' && part !== '') resolved.push(part);
  }
  return resolved.join('/');
}

/**
 * For each cell format (`<cellXfs>` index, a cell's `s`), whether its number format shows a date or time: a built-in
 * date format, or a custom one with date or time codes outside quoted text and brackets (Excel's own rule).
 */
export function parseDateStyles(xml: string): boolean[] {
  const custom = new Map<number, string>();
  for (const tag of tagsNamed(xml, 'numFmt')) {
    const id = Number(attribute(tag, 'numFmtId'));
    const code = attribute(tag, 'formatCode');
    if (Number.isInteger(id) && code !== undefined) custom.set(id, decodeXml(code));
  }
  const start = xml.indexOf('<cellXfs');
  const end = xml.indexOf('</cellXfs>', start);
  if (start < 0 || end < 0) return [];
  return tagsNamed(xml.slice(start, end), 'xf').map((tag) => {
    const id = Number(attribute(tag, 'numFmtId') ?? 0);
    const code = custom.get(id);
    return code === undefined ? BUILT_IN_DATE_FORMATS.has(id) : isDateFormatCode(code);
  });
}

/** ECMA-376's built-in date and time formats (14–22, 45–47) and the East Asian ones (27–36, 50–58). */
const BUILT_IN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56,
  57, 58,
]);

export function isDateFormatCode(code: string): boolean {
  const bare = code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
  return /[ymdhsb]/i.test(bare.replace(/\\./g, ''));
}

/** An element of a part is longer than the reader holds at once, or never closes: a hostile or damaged file. */
export class XmlElementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlElementError';
  }
}

/** A worksheet's or shared-string table's elements of one name, fed text as it is inflated. */
abstract class ElementStream<T> {
  private pending = '';

  constructor(
    private readonly element: string,
    private readonly maxElementLength: number,
  ) {}

  /** The complete elements the text pushed so far holds; an incomplete last one waits for more text. */
  push(text: string): T[] {
    this.pending = this.pending.length === 0 ? text : this.pending + text;
    const out: T[] = [];
    const pending = this.pending;
    const open = `<${this.element}`;
    const close = `</${this.element}>`;
    let at = 0;
    let consumed = 0;
    for (;;) {
      const start = pending.indexOf(open, at);
      if (start < 0) {
        // Keep a possibly split `<row` at the end.
        consumed = Math.max(consumed, pending.length - open.length);
        break;
      }
      const next = pending.charCodeAt(start + open.length);
      if (Number.isNaN(next)) {
        consumed = start;
        break;
      }
      if (!endsName(next)) {
        at = start + open.length;
        consumed = at;
        continue;
      }
      const tagEnd = pending.indexOf('>', start);
      if (tagEnd < 0) {
        consumed = start;
        break;
      }
      if (pending.charCodeAt(tagEnd - 1) === 47) {
        out.push(this.parse(pending.slice(start + open.length, tagEnd - 1), ''));
        at = consumed = tagEnd + 1;
        continue;
      }
      const end = pending.indexOf(close, tagEnd);
      if (end < 0) {
        consumed = start;
        break;
      }
      out.push(this.parse(pending.slice(start + open.length, tagEnd), pending.slice(tagEnd + 1, end)));
      at = consumed = end + close.length;
    }
    this.pending = consumed >= pending.length ? '' : pending.slice(Math.max(0, consumed));
    if (this.pending.length > this.maxElementLength) throw new XmlElementError(this.tooLong(this.pending.length));
    return out;
  }

  /** The part has ended: an element begun and never closed means the part was cut short. */
  finish(): void {
    const open = this.pending.indexOf(`<${this.element}`);
    if (open >= 0 && endsName(this.pending.charCodeAt(open + this.element.length + 1))) {
      throw new XmlElementError(this.unterminated());
    }
  }

  protected abstract parse(attributes: string, content: string): T;

  /** Why a part that ends inside an element is refused. */
  protected abstract unterminated(): string;

  /** Why an element longer than the limit is refused. */
  protected abstract tooLong(length: number): string;
}

/** `xl/sharedStrings.xml`'s `<si>` items as plain text (rich text runs joined, phonetic hints left out). */
export class SharedStringStream extends ElementStream<string> {
  constructor(private readonly maxItemLength: number) {
    super('si', maxItemLength);
  }

  protected parse(_attributes: string, content: string): string {
    return textOf(content);
  }

  protected tooLong(length: number): string {
    return `a shared string's XML is longer than ${this.maxItemLength} characters (${length} so far)`;
  }

  protected unterminated(): string {
    return 'the shared strings end inside a string item (a damaged file)';
  }
}

/** A worksheet's `<row>`s; a row number left out follows the one before, a cell reference left out the cell before. */
export class SheetRowStream extends ElementStream<SheetRow> {
  private lastRow = 0;

  constructor(
    maxRowLength: number,
    private readonly describe: (row: number) => string,
  ) {
    super('row', maxRowLength);
  }

  protected tooLong(): string {
    return this.describe(this.lastRow + 1);
  }

  protected unterminated(): string {
    return `the worksheet ends inside row ${this.lastRow + 1} (a damaged file)`;
  }

  protected parse(attributes: string, content: string): SheetRow {
    const number = Number(attribute(attributes, 'r'));
    const row = Number.isInteger(number) && number > 0 ? number : this.lastRow + 1;
    this.lastRow = row;
    return { row, cells: cellsOf(content) };
  }
}

function cellsOf(content: string): RawCell[] {
  const cells: RawCell[] = [];
  let at = 0;
  let column = -1;
  for (;;) {
    const start = content.indexOf('<c', at);
    if (start < 0) break;
    if (!endsName(content.charCodeAt(start + 2))) {
      at = start + 2;
      continue;
    }
    const tagEnd = content.indexOf('>', start);
    if (tagEnd < 0) break;
    const selfClosing = content.charCodeAt(tagEnd - 1) === 47;
    const tag = content.slice(start + 2, selfClosing ? tagEnd - 1 : tagEnd);
    let inner = '';
    if (selfClosing) at = tagEnd + 1;
    else {
      const end = content.indexOf('</c>', tagEnd);
      inner = content.slice(tagEnd + 1, end < 0 ? content.length : end);
      at = end < 0 ? content.length : end + 4;
    }
    const reference = attribute(tag, 'r');
    column = reference === undefined ? column + 1 : columnOfReference(reference, column + 1);
    const type = attribute(tag, 't');
    cells[column] = {
      type,
      style: Number(attribute(tag, 's') ?? 0) || 0,
      value: type === 'inlineStr' ? inlineText(inner) : cachedValueOf(inner),
      formula: hasElement(inner, 'f'),
    };
  }
  return cells;
}

/** `B7` → 1; a damaged reference keeps the cell in the next column. */
function columnOfReference(reference: string, fallback: number): number {
  let column = 0;
  let letters = 0;
  for (let i = 0; i < reference.length; i++) {
    const code = reference.charCodeAt(i) | 32;
    if (code < 97 || code > 122) break;
    column = column * 26 + (code - 96);
    letters++;
  }
  return letters === 0 || letters > 3 ? fallback : column - 1;
}

function cachedValueOf(inner: string): string | undefined {
  const start = inner.indexOf('<v');
  if (start < 0) return undefined;
  const tagEnd = inner.indexOf('>', start);
  if (tagEnd < 0 || inner.charCodeAt(tagEnd - 1) === 47) return undefined;
  const end = inner.indexOf('</v>', tagEnd);
  return decodeXml(inner.slice(tagEnd + 1, end < 0 ? inner.length : end));
}

function inlineText(inner: string): string | undefined {
  const start = inner.indexOf('<is');
  if (start < 0) return cachedValueOf(inner);
  const end = inner.indexOf('</is>', start);
  return textOf(inner.slice(start, end < 0 ? inner.length : end));
}

function hasElement(inner: string, name: string): boolean {
  const at = inner.indexOf(`<${name}`);
  if (at < 0) return false;
  return endsName(inner.charCodeAt(at + name.length + 1));
}

/** The text of a string item: its `<t>`s joined, `<rPh>` (phonetic) runs left out. */
function textOf(content: string): string {
  const body = content.indexOf('<rPh') < 0 ? content : content.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  let text = '';
  let at = 0;
  for (;;) {
    const start = body.indexOf('<t', at);
    if (start < 0) break;
    const tagEnd = body.indexOf('>', start);
    if (tagEnd < 0) break;
    at = tagEnd + 1;
    if (!endsName(body.charCodeAt(start + 2)) || body.charCodeAt(tagEnd - 1) === 47) continue;
    const end = body.indexOf('</t>', tagEnd);
    text += body.slice(tagEnd + 1, end < 0 ? body.length : end);
    if (end < 0) break;
    at = end + 4;
  }
  return decodeXml(text);
}

/** Whether the character after `<name` ends the name (a space, `>` or `/`), so `<c` is not `<cols`. */
function endsName(code: number): boolean {
  return code === 32 || code === 62 || code === 47 || code === 9 || code === 10 || code === 13;
}

/** The start tags (`<name ...>` or `<name .../>`) of elements of one name, as their attribute text. */
function tagsNamed(xml: string, name: string): string[] {
  const tags: string[] = [];
  const open = `<${name}`;
  let at = 0;
  for (;;) {
    const start = xml.indexOf(open, at);
    if (start < 0) return tags;
    const end = xml.indexOf('>', start);
    if (end < 0) return tags;
    if (endsName(xml.charCodeAt(start + open.length))) {
      tags.push(xml.slice(start + open.length, xml.charCodeAt(end - 1) === 47 ? end - 1 : end));
    }
    at = end + 1;
  }
}

/** An attribute's raw (still escaped) value in a start tag's attribute text. */
function attribute(tag: string, name: string): string | undefined {
  let at = 0;
  for (;;) {
    const found = tag.indexOf(name, at);
    if (found < 0) return undefined;
    const before = tag.charCodeAt(found - 1);
    let eq = found + name.length;
    while (tag.charCodeAt(eq) === 32) eq++;
    if ((before === 32 || before === 9 || before === 10 || before === 13) && tag.charCodeAt(eq) === 61) {
      let quote = eq + 1;
      while (tag.charCodeAt(quote) === 32) quote++;
      const mark = tag[quote];
      if (mark === '"' || mark === "'") {
        const end = tag.indexOf(mark, quote + 1);
        if (end > quote) return tag.slice(quote + 1, end);
      }
    }
    at = found + name.length;
  }
}

/** An attribute in any namespace prefix (`r:id`, `relationships:id`). */
function prefixedAttribute(tag: string, local: string): string | undefined {
  const match = new RegExp(`\\s[A-Za-z_][\\w.-]*:${local}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return match === null ? undefined : (match[2] ?? match[3]);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character references and entities, then OOXML's `_xHHHH_` escapes (Excel writes a carriage return `_x000D_`). */
export function decodeXml(text: string): string {
  let decoded =
    text.indexOf('&') < 0
      ? text
      : text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, body: string) => {
          if (body.startsWith('#x')) return safeCodePoint(Number.parseInt(body.slice(2), 16), whole);
          if (body.startsWith('#')) return safeCodePoint(Number.parseInt(body.slice(1), 10), whole);
          return ENTITIES[body] ?? whole;
        });
  if (decoded.indexOf('_x') >= 0) {
    decoded = decoded.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
  return decoded;
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}
