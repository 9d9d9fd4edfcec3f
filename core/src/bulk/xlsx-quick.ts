// A quick reader for workbooks in the shape Excel and most programs save them. It gives exactly
// what read-excel-file 9.3 gives with { trim: false } for every sheet, or undefined for a workbook
// whose XML it does not recognise (prefixed sheet tags, comments, CDATA, a cell without its
// address, an error read-excel-file would throw…), which read-excel-file then reads as before.
// read-excel-file's generic XML parser spends most of an import's file read on a large sheet;
// this one reads the cells straight from the text. The steps copy read-excel-file's and its XML
// parser's (saxen) one for one, odd corners included; xlsx-quick.test.ts checks the two agree.
import { strFromU8 } from 'fflate';

/** One sheet as read-excel-file returns it: rows of cells, Dates for date-formatted numbers. */
export interface WorkbookSheet {
  sheet: string;
  data: unknown[][];
}

/** Thrown inside this reader when the workbook leaves the shape it knows; never escapes it. */
class NotRecognised extends Error {}

function notRecognised(): never {
  throw new NotRecognised();
}

// ── Text, as saxen and read-excel-file decode it ──────────────────────────────────────────────

// saxen's pattern has the flags gi without u; this spelling matches the same ASCII-only text.
const ENTITY = /&#(\d+);|&#[xX]([0-9a-fA-F]+);|&(\w+);/g;
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', apos: "'", gt: '>', lt: '<', quot: '"', AMP: '&', APOS: "'", GT: '>', LT: '<', QUOT: '"',
};

/** saxen's decoder: five named entities (lower or upper case) and numeric ones cut to 16 bits. */
function decodeEntities(text: string): string {
  if (text.length <= 3 || !text.includes('&')) return text;
  return text.replace(ENTITY, (match, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return Object.hasOwn(NAMED_ENTITIES, name) ? (NAMED_ENTITIES[name] ?? match) : `&${name};`;
    if (decimal !== undefined) return String.fromCharCode(Number(decimal));
    return String.fromCharCode(parseInt(hex ?? '', 16));
  });
}

/** Excel's _xHHHH_ escapes for characters XML cannot hold, as read-excel-file undoes them. */
function unescapeXlsxString(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** read-excel-file drops a name's namespace prefix, but keeps xmlns:… attributes as written. */
function withoutPrefix(name: string, isAttribute: boolean): string {
  for (let i = 0; i < name.length; i += 1) {
    if (name[i] === ':' && !(isAttribute && i === 5 && name.startsWith('xmlns'))) return name.slice(i + 1);
  }
  return name;
}

// ── A small XML reader for the workbook's other parts, with saxen's checks ────────────────────

const isSpace = (code: number): boolean => code === 32 || (code > 8 && code < 14);
const isNameStart = (code: number): boolean => (code > 96 && code < 123) || (code > 64 && code < 91) || code === 95 || code === 58;
const isNameChar = (code: number): boolean => isNameStart(code) || (code > 47 && code < 58) || code === 45 || code === 46;
// Attributes saxen reads without a warning; anything else (a missing quote, a value without
// quotes, two attributes run together) is left to read-excel-file.
const ATTRIBUTE = /[\t\n\v\f\r ]+([A-Za-z_:][\w:.-]*)=(?:"([^"]*)"|'([^']*)')/y;
const TRAILING_SPACE = /[\t\n\v\f\r ]*$/y;

/** The index of the `>` that ends the tag opened at `start`, skipping quoted values as saxen does. */
function tagEnd(xml: string, start: number): number {
  for (let x = start + 1; ; x += 1) {
    const code = xml.charCodeAt(x);
    if (Number.isNaN(code)) notRecognised();
    if (code === 34 || code === 39) {
      const quote = xml.indexOf(code === 34 ? '"' : "'", x + 1);
      if (quote !== -1) x = quote;
    } else if (code === 62) {
      return x;
    }
  }
}

type Attributes = Record<string, string>;

/** A tag's attributes as read-excel-file hands them on: prefixes dropped, entities decoded. */
function readAttributes(text: string, from: number): Attributes {
  const attributes: Attributes = {};
  ATTRIBUTE.lastIndex = from;
  let at = from;
  for (let match = ATTRIBUTE.exec(text); match !== null; match = ATTRIBUTE.exec(text)) {
    const name = match[1] ?? '';
    if (Object.hasOwn(attributes, name) || name === 'xmlns:xmlns') notRecognised();
    attributes[name] = match[2] ?? match[3] ?? '';
    at = ATTRIBUTE.lastIndex;
  }
  TRAILING_SPACE.lastIndex = at;
  if (!TRAILING_SPACE.test(text)) notRecognised();
  // read-excel-file rewrites the same object: a prefixed name's value lands under its bare name.
  for (const name of Object.keys(attributes)) attributes[withoutPrefix(name, true)] = decodeEntities(attributes[name] ?? '');
  return attributes;
}

interface XmlEvents {
  open(name: string, attributes: Attributes, selfClosing: boolean, after: number): number | undefined;
  close?(name: string): void;
  text?(text: string): void;
}

/**
 * Walks one XML part, calling `events` as read-excel-file's parser would. `open` may take over
 * an element's content and return where the element ends.
 */
function walkXml(xml: string, events: XmlEvents): void {
  const open: string[] = [];
  let rootFound = false;
  let j = 0;
  for (;;) {
    const i = xml.indexOf('<', j);
    if (i === -1) {
      if (open.length > 0 || !rootFound) notRecognised();
      return;
    }
    rootFound = true;
    if (j !== i && open.length > 0) events.text?.(decodeEntities(xml.substring(j, i)));
    const next = xml.charCodeAt(i + 1);
    // Comments, CDATA and declarations are rare in workbooks and change how text splits.
    if (next === 33) notRecognised();
    if (next === 63) {
      if (open.length > 0) notRecognised();
      const end = xml.indexOf('?>', i);
      if (end === -1) notRecognised();
      j = end + 2;
      continue;
    }
    const end = tagEnd(xml, i);
    if (next === 47) {
      const name = open.pop() ?? notRecognised();
      const after = i + 2 + name.length;
      if (xml.substring(i + 2, after) !== name) notRecognised();
      for (let q = after; q < end; q += 1) if (!isSpace(xml.charCodeAt(q))) notRecognised();
      events.close?.(withoutPrefix(name, false));
      j = end + 1;
      continue;
    }
    const selfClosing = xml.charCodeAt(end - 1) === 47;
    const tag = xml.substring(i + 1, selfClosing ? end - 1 : end);
    if (!isNameStart(next)) notRecognised();
    let nameEnd = 1;
    while (nameEnd < tag.length && isNameChar(tag.charCodeAt(nameEnd))) nameEnd += 1;
    if (nameEnd < tag.length && !isSpace(tag.charCodeAt(nameEnd))) notRecognised();
    const rawName = tag.substring(0, nameEnd);
    const name = withoutPrefix(rawName, false);
    const skipTo = events.open(name, readAttributes(tag, nameEnd), selfClosing, end + 1);
    if (skipTo !== undefined) {
      j = skipTo;
      continue;
    }
    if (selfClosing) events.close?.(name);
    else open.push(rawName);
    j = end + 1;
  }
}

// ── The workbook's parts, as read-excel-file reads them ───────────────────────────────────────

const RELATIONSHIPS_TRANSITIONAL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/';
const RELATIONSHIPS_STRICT = 'http://purl.oclc.org/ooxml/officeDocument/relationships/';

interface FilePaths {
  sheets: Record<string, string>;
  sharedStrings?: string;
  styles?: string;
}

function readFilePaths(xml: string): FilePaths {
  const paths: FilePaths = { sheets: {} };
  const pathOf = (target: string | undefined): string => {
    if (target === undefined) notRecognised();
    return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  };
  walkXml(xml, {
    open(name, attributes) {
      if (name !== 'Relationship') return undefined;
      const { Id: id, Type: type, Target: target } = attributes;
      if (type === `${RELATIONSHIPS_TRANSITIONAL}styles` || type === `${RELATIONSHIPS_STRICT}styles`) paths.styles = pathOf(target);
      else if (type === `${RELATIONSHIPS_TRANSITIONAL}sharedStrings` || type === `${RELATIONSHIPS_STRICT}sharedStrings`) paths.sharedStrings = pathOf(target);
      else if (type === `${RELATIONSHIPS_TRANSITIONAL}worksheet` || type === `${RELATIONSHIPS_STRICT}worksheet`) paths.sheets[String(id)] = pathOf(target);
      return undefined;
    },
  });
  return paths;
}

interface SheetEntry {
  name: string;
  relationId: string | undefined;
}

function readWorkbookInfo(xml: string): { epoch1904: boolean; sheets: SheetEntry[] } {
  let epoch1904: boolean | undefined;
  const sheets: SheetEntry[] = [];
  walkXml(xml, {
    open(name, attributes) {
      if (name === 'workbookPr') epoch1904 ??= attributes.date1904 === '1';
      else if (name === 'sheet' && attributes.name) sheets.push({ name: unescapeXlsxString(attributes.name), relationId: attributes.id });
      return undefined;
    },
  });
  return { epoch1904: epoch1904 ?? false, sheets };
}

function readSharedStrings(xml: string): string[] {
  const strings: string[] = [];
  let inString = false;
  let inText = false;
  let inRun = false;
  let inPhonetic = false;
  let text = '';
  walkXml(xml, {
    open(name) {
      if (name === 'si') {
        inString = true;
        inText = inRun = inPhonetic = false;
        text = '';
      } else if (inString) {
        if (name === 't') inText = true;
        else if (name === 'r') inRun = true;
        else if (name === 'rPh') inPhonetic = true;
      }
      return undefined;
    },
    close(name) {
      if (name === 'si') {
        strings.push(unescapeXlsxString(text));
        inString = false;
      } else if (inString) {
        if (name === 't') inText = false;
        else if (name === 'r') inRun = false;
        else if (name === 'rPh') inPhonetic = false;
      }
    },
    text(chunk) {
      // A phonetic reading is not part of the text; runs of rich text join up.
      if (!inString || inPhonetic || !inText) return;
      text = inRun ? text + chunk : chunk;
    },
  });
  return strings;
}

interface NumberFormat {
  id: number;
  template?: string | undefined;
}

interface CellStyle {
  numberFormat?: NumberFormat;
  xfId?: number;
}

function readStyles(xml: string): CellStyle[] {
  const numberFormats: NumberFormat[] = [];
  const baseStyles: CellStyle[] = [];
  const styles: CellStyle[] = [];
  let inCellStyleXfs = false;
  let inCellXfs = false;
  const styleOf = (attributes: Attributes, formats?: NumberFormat[]): CellStyle => {
    if (!attributes.numFmtId) return {};
    const id = Number(attributes.numFmtId);
    return { numberFormat: formats?.[id] ?? { id } };
  };
  walkXml(xml, {
    open(name, attributes) {
      if (name === 'numFmt') {
        const id = Number(attributes.numFmtId);
        numberFormats[id] = id >= 100 ? { id, template: attributes.formatCode } : { id };
      } else if (name === 'cellStyleXfs') {
        inCellStyleXfs = true;
      } else if (name === 'cellXfs') {
        inCellXfs = true;
      } else if (name === 'xf') {
        if (inCellStyleXfs) {
          baseStyles.push(styleOf(attributes));
        } else if (inCellXfs) {
          const style = styleOf(attributes, numberFormats);
          if (attributes.xfId) style.xfId = Number(attributes.xfId);
          styles.push(style);
        }
      }
      return undefined;
    },
    close(name) {
      if (name === 'cellStyleXfs') inCellStyleXfs = false;
      else if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return styles.map((style) => {
    if (!style.xfId) return style;
    const { xfId, ...own } = style;
    return { ...baseStyles[xfId], ...own };
  });
}

// ── Which number formats are dates: read-excel-file's rules, copied ───────────────────────────

const BUILT_IN_DATE_FORMAT_IDS: ReadonlySet<number> = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81,
]);
const DATE_FORMAT_TOKENS: ReadonlySet<string> = new Set(['s', 'ss', 'm', 'mm', 'h', 'hh', 'am', 'pm', 'a', 'p', 'd', 'dd', 'ddd', 'dddd', 'aaa', 'aaaa', 'aaaaa', 'mmm', 'mmmm', 'mmmmm', 'y', 'yy', 'yyyy', 'e', 'ee', 'eeee']);

// The patterns are read-excel-file's, without the u flag as there, so they match the same text.
function isDateFormatTemplate(formatCode: string): boolean {
  const sections = formatCode
    .toLowerCase()
    .replace(/;@$/, '')
    .replace(/\\./g, ' ')
    .split(';');
  return sections.some((section) => {
    const tokens = section
      .replace(/"[^"]*"/g, ' ')
      .replace(/(\[?[smhd]{1,2}\]?)[.,]00?0?/g, '$1')
      .replace(/\[([smhd]{1,2})\]/g, '$1')
      .replace(/\[[^\]]*\]/g, '')
      .split(/[^a-z0#?%]+/)
      .filter((token) => token !== '');
    return tokens.length > 0 && tokens.every((token) => DATE_FORMAT_TOKENS.has(token));
  });
}

/** Whether a style shows dates; read-excel-file remembers the answer per format id for the whole workbook. */
function isDateStyle(style: CellStyle, answers: Map<number, boolean>): boolean {
  const format = style.numberFormat;
  if (format === undefined) return false;
  if (BUILT_IN_DATE_FORMAT_IDS.has(format.id)) return true;
  if (!format.template) return false;
  let answer = answers.get(format.id);
  if (answer === undefined) {
    answer = isDateFormatTemplate(format.template);
    answers.set(format.id, answer);
  }
  return answer;
}

/** Excel's serial day number (1900 or 1904 system) as a time, with read-excel-file's arithmetic. */
function excelTimestamp(serial: number, epoch1904: boolean): number {
  const days = epoch1904 ? serial + 1462 : serial;
  return Math.floor((days - 25569) * 86_400_000);
}

// ── Cells ─────────────────────────────────────────────────────────────────────────────────────

interface WorkbookContext {
  sharedStrings: readonly string[];
  styles: readonly CellStyle[];
  epoch1904: boolean;
  dateAnswers: Map<number, boolean>;
}

/**
 * A cell's value as read-excel-file gives it (null for nothing), after its repairs: a formula
 * never calculated, an error result or a missing string is an empty cell. Where read-excel-file
 * would stop with an error, the reader leaves the workbook to it.
 */
function cellValue(type: string | undefined, styleIndex: string | undefined, value: string | undefined, inlineString: string | undefined, book: WorkbookContext): unknown {
  switch (type || 'n') {
    case 'str':
      return value ? unescapeXlsxString(value) : null;
    case 'inlineStr':
      return inlineString ? inlineString : null;
    case 's': {
      if (!value) return null;
      const text = book.sharedStrings[Number(value)];
      if (text === undefined) notRecognised();
      return text === '' ? null : text;
    }
    case 'b':
      if (!value) return null;
      if (value === '1') return true;
      if (value === '0') return false;
      return notRecognised();
    case 'e':
      return null;
    case 'd': {
      if (!value) return null;
      const time = new Date(value).getTime();
      if (Number.isNaN(time)) notRecognised();
      return new Date(time);
    }
    case 'n': {
      if (!value) return null;
      if (styleIndex) {
        const style = book.styles[Number(styleIndex)];
        if (style === undefined) notRecognised();
        if (isDateStyle(style, book.dateAnswers)) {
          const serial = Number(value);
          if (Number.isNaN(serial)) notRecognised();
          return new Date(excelTimestamp(serial, book.epoch1904));
        }
      }
      const number = Number(value);
      if (Number.isNaN(number)) notRecognised();
      return number;
    }
    default:
      return notRecognised();
  }
}

/** A plain cell address like "AB12" as its row and 1-based column; anything else is left to read-excel-file. */
function cellAddress(address: string | undefined): [number, number] {
  if (address === undefined) notRecognised();
  let column = 0;
  let i = 0;
  for (let code = address.charCodeAt(0); code > 64 && code < 91 && i < 3; code = address.charCodeAt(++i)) column = column * 26 + code - 64;
  if (i === 0) notRecognised();
  return [rowNumberOf(address, i, address.length), column];
}

/** The digits from `from` to `to` as a row number: 1 to 9,999,999 without leading zeros. */
function rowNumberOf(text: string, from: number, to: number): number {
  const digits = to - from;
  if (digits < 1 || digits > 7 || text.charCodeAt(from) === 48) notRecognised();
  let row = 0;
  for (let i = from; i < to; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) notRecognised();
    row = row * 10 + code - 48;
  }
  return row;
}

/** read-excel-file reads a sheet's dimension and stops on one it cannot parse, though it never uses it. */
function checkDimension(ref: string | undefined): void {
  if (ref === undefined) notRecognised();
  for (const address of ref.split(':')) {
    let i = 0;
    while (i < address.length) {
      const code = address.charCodeAt(i);
      if (code >= 48 && code <= 57) break;
      i += 1;
    }
    if (i === address.length || Number.isNaN(Number(address.slice(i)))) notRecognised();
  }
}

// ── Sheets ────────────────────────────────────────────────────────────────────────────────────

/** The attributes of the <row> or <c> being read; one object, reused, as there are many cells. */
const tagAttributes: { r: string | undefined; s: string | undefined; t: string | undefined } = { r: undefined, s: undefined, t: undefined };

/**
 * Reads r, s and t from a <row> or <c> tag's attributes between `from` and `to` into
 * tagAttributes. Anything saxen would warn about, a repeated one, a prefixed copy of one
 * (read-excel-file would take its value) or an entity in one is left to read-excel-file.
 */
function readTagAttributes(xml: string, from: number, to: number): void {
  tagAttributes.r = tagAttributes.s = tagAttributes.t = undefined;
  let i = from;
  while (i < to) {
    if (!isSpace(xml.charCodeAt(i))) notRecognised();
    while (i < to && isSpace(xml.charCodeAt(i))) i += 1;
    if (i === to) return;
    const nameStart = i;
    if (!isNameStart(xml.charCodeAt(i))) notRecognised();
    let colon = -1;
    for (i += 1; i < to; i += 1) {
      const code = xml.charCodeAt(i);
      if (code === 58 && colon === -1) colon = i;
      if (!isNameChar(code)) break;
    }
    const quote = xml.charCodeAt(i + 1);
    if (xml.charCodeAt(i) !== 61 || (quote !== 34 && quote !== 39)) notRecognised();
    const close = xml.indexOf(quote === 34 ? '"' : "'", i + 2);
    if (close === -1 || close >= to) notRecognised();
    const name = i - nameStart === 1 ? xml.charCodeAt(nameStart) : 0;
    if (name === 114 || name === 115 || name === 116) {
      const value = xml.substring(i + 2, close);
      if (value.includes('&')) notRecognised();
      const key = name === 114 ? 'r' : name === 115 ? 's' : 't';
      if (tagAttributes[key] !== undefined) notRecognised();
      tagAttributes[key] = value;
    } else if (colon !== -1 && colon < i) {
      const bare = withoutPrefix(xml.substring(nameStart, i), true);
      if (bare === 'r' || bare === 's' || bare === 't') notRecognised();
    }
    i = close + 1;
  }
}

/** Whether `xml` has the start tag `<name` at `at`, followed by `>`, `/>` or a space. */
function opensTag(xml: string, at: number, name: string): boolean {
  if (!xml.startsWith(name, at + 1)) return false;
  const after = at + 1 + name.length;
  const code = xml.charCodeAt(after);
  return code === 62 || isSpace(code) || (code === 47 && xml.charCodeAt(after + 1) === 62);
}

/** The index just past `</name>` (spaces allowed before `>`) at `at`, or not recognised. */
function pastCloseTag(xml: string, at: number, name: string): number {
  if (xml.charCodeAt(at + 1) !== 47 || !xml.startsWith(name, at + 2)) notRecognised();
  let i = at + 2 + name.length;
  while (isSpace(xml.charCodeAt(i))) i += 1;
  if (xml.charCodeAt(i) !== 62) notRecognised();
  return i + 1;
}

interface SheetDataState {
  rows: unknown[][];
  cursorRow: number;
  cursorColumn: number;
  rowCount: number;
  columnCount: number;
  dataRowCount: number;
  dataColumnCount: number;
}

/**
 * Reads <sheetData>'s content from `start` to its end tag: <row>s of <c>s holding <v>, <f> and
 * <is><t>. Returns the index past </sheetData>.
 */
function readSheetData(xml: string, start: number, state: SheetDataState, book: WorkbookContext): number {
  let at = start;
  for (;;) {
    const lt = xml.indexOf('<', at);
    if (lt === -1) notRecognised();
    if (!opensTag(xml, lt, 'row')) return pastCloseTag(xml, lt, 'sheetData');
    const rowEnd = tagEnd(xml, lt);
    const rowSelfClosing = xml.charCodeAt(rowEnd - 1) === 47;
    readTagAttributes(xml, lt + 4, rowSelfClosing ? rowEnd - 1 : rowEnd);
    const r = tagAttributes.r;
    let rowNumber: number | undefined;
    if (r) rowNumber = rowNumberOf(r, 0, r.length);
    const row: unknown[] = [];
    at = rowEnd + 1;
    if (!rowSelfClosing) {
      for (;;) {
        const cellStart = xml.indexOf('<', at);
        if (cellStart === -1) notRecognised();
        if (!opensTag(xml, cellStart, 'c')) {
          at = pastCloseTag(xml, cellStart, 'row');
          break;
        }
        at = readCell(xml, cellStart, state, book, row);
        rowNumber ||= state.cursorRow;
      }
    }
    if (rowNumber) {
      if (rowNumber <= state.rows.length) notRecognised();
      while (rowNumber > state.rows.length + 1) state.rows.push([]);
    }
    state.rows.push(row);
    if (row.length > 0 && rowNumber !== undefined) state.dataRowCount = rowNumber;
    if (rowNumber !== undefined && rowNumber > state.rowCount) state.rowCount = rowNumber;
  }
}

/** Reads the <c> at `start` into `row`; returns the index past it. */
function readCell(xml: string, start: number, state: SheetDataState, book: WorkbookContext, row: unknown[]): number {
  const end = tagEnd(xml, start);
  const selfClosing = xml.charCodeAt(end - 1) === 47;
  readTagAttributes(xml, start + 2, selfClosing ? end - 1 : end);
  const { r, s, t } = tagAttributes;
  let value: string | undefined;
  let inlineString: string | undefined;
  let at = end + 1;
  if (!selfClosing) {
    for (;;) {
      const lt = xml.indexOf('<', at);
      if (lt === -1) notRecognised();
      // A second <v> or <is> in one cell is left to read-excel-file, which handles them oddly.
      if ((value !== undefined && xml.startsWith('<v', lt)) || (inlineString !== undefined && xml.startsWith('<is', lt))) notRecognised();
      if (xml.startsWith('<v>', lt)) {
        const close = xml.indexOf('<', lt + 3);
        if (close === -1 || !xml.startsWith('</v>', close)) notRecognised();
        if (close > lt + 3) value = decodeEntities(xml.substring(lt + 3, close));
        value ||= '';
        at = close + 4;
      } else if (xml.startsWith('<v/>', lt)) {
        value ||= '';
        at = lt + 4;
      } else if (opensTag(xml, lt, 'f')) {
        // The formula itself is not read, only its cached result in <v>.
        const formulaEnd = tagEnd(xml, lt);
        at = formulaEnd + 1;
        if (xml.charCodeAt(formulaEnd - 1) !== 47) {
          const close = xml.indexOf('<', at);
          if (close === -1) notRecognised();
          at = pastCloseTag(xml, close, 'f');
        }
      } else if (xml.startsWith('<is>', lt)) {
        at = readInlineString(xml, lt + 4);
        inlineString = inlineText;
      } else if (xml.startsWith('<is/>', lt)) {
        inlineString = '';
        at = lt + 5;
      } else {
        at = pastCloseTag(xml, lt, 'c');
        break;
      }
    }
  }
  const [rowNumber, column] = cellAddress(r);
  // A formula's text result has its _xHHHH_ escapes undone when its <v> closes; cellValue does it.
  const cell = cellValue(t, s, value, inlineString, book);
  if (rowNumber < state.cursorRow || (rowNumber === state.cursorRow && column <= state.cursorColumn)) notRecognised();
  state.cursorRow = rowNumber;
  state.cursorColumn = column;
  if (cell !== null) {
    while (column > row.length + 1) row.push(null);
    row.push(cell);
    if (column > state.dataColumnCount) state.dataColumnCount = column;
  }
  if (column > state.columnCount) state.columnCount = column;
  return at;
}

/** The text of the <is> last read. */
let inlineText = '';

/** Reads an <is> from just past its start tag, plain <t>s only, into inlineText. Returns the index past </is>. */
function readInlineString(xml: string, start: number): number {
  let text = '';
  let at = start;
  for (;;) {
    const lt = xml.indexOf('<', at);
    if (lt === -1) notRecognised();
    if (!opensTag(xml, lt, 't')) {
      inlineText = unescapeXlsxString(text);
      return pastCloseTag(xml, lt, 'is');
    }
    const end = tagEnd(xml, lt);
    at = end + 1;
    if (xml.charCodeAt(end - 1) === 47) continue;
    const close = xml.indexOf('<', at);
    if (close === -1) notRecognised();
    if (close > at) text = decodeEntities(xml.substring(at, close));
    at = pastCloseTag(xml, close, 't');
  }
}

function readSheet(xml: string, book: WorkbookContext): unknown[][] {
  let state: SheetDataState | undefined;
  walkXml(xml, {
    open(name, attributes, selfClosing, after) {
      if (name === 'dimension') checkDimension(attributes.ref);
      // After <sheetData>, read-excel-file would take these for cells; a second one would restart it.
      if (state !== undefined && (name === 'row' || name === 'c' || name === 'sheetData')) notRecognised();
      if (name !== 'sheetData') return undefined;
      state = { rows: [], cursorRow: 0, cursorColumn: 0, rowCount: 0, columnCount: 0, dataRowCount: 0, dataColumnCount: 0 };
      if (selfClosing) return undefined;
      if (xml.charCodeAt(after - 11) !== 60 || !xml.startsWith('sheetData', after - 10)) return notRecognised();
      return readSheetData(xml, after, state, book);
    },
  });
  if (state === undefined) notRecognised();
  const { dataRowCount, rowCount, dataColumnCount } = state;
  const rows = dataRowCount < rowCount ? state.rows.slice(0, dataRowCount) : state.rows;
  // Rows end at the last column with something in it; shorter ones are filled out with nulls.
  for (const row of rows) while (row.length < dataColumnCount) row.push(null);
  return rows;
}

// ── The workbook ──────────────────────────────────────────────────────────────────────────────

/**
 * Every sheet of the workbook whose unzipped parts are `parts`, as read-excel-file would read
 * them, or undefined when the workbook is not in the shape this reader knows.
 */
export function quickReadWorkbook(parts: Readonly<Record<string, Uint8Array>>): WorkbookSheet[] | undefined {
  // read-excel-file only unpacks .xml and .xml.rels parts.
  const text = (path: string): string | undefined => {
    const bytes = path.endsWith('.xml') || path.endsWith('.xml.rels') ? parts[path] : undefined;
    return bytes === undefined ? undefined : strFromU8(bytes);
  };
  try {
    const relationships = text('xl/_rels/workbook.xml.rels') ?? notRecognised();
    const workbook = text('xl/workbook.xml') ?? notRecognised();
    const paths = readFilePaths(relationships);
    const info = readWorkbookInfo(workbook);
    const sharedStringsPath = paths.sharedStrings || 'xl/sharedStrings.xml';
    const stylesPath = paths.styles || 'xl/styles.xml';
    if (sharedStringsPath === stylesPath) notRecognised();
    const sharedStringsXml = text(sharedStringsPath);
    const stylesXml = text(stylesPath);
    const book: WorkbookContext = {
      sharedStrings: sharedStringsXml === undefined ? [] : readSharedStrings(sharedStringsXml),
      styles: stylesXml === undefined ? [] : readStyles(stylesXml),
      epoch1904: info.epoch1904,
      dateAnswers: new Map(),
    };
    const wanted = info.sheets.map((sheet) => sheet.relationId);
    // Sheets in the order read-excel-file parses them (an object's key order, as there), which
    // the per-format date answers follow; two relations to one part leave the first unread.
    const relationOfPath: Record<string, string> = {};
    for (const relationId of Object.keys(paths.sheets)) {
      if (wanted.includes(relationId)) relationOfPath[paths.sheets[relationId] ?? ''] = relationId;
    }
    const data = new Map<string, unknown[][]>();
    for (const path of Object.keys(relationOfPath)) data.set(relationOfPath[path] ?? '', readSheet(text(path) ?? notRecognised(), book));
    return wanted.map((relationId) => {
      const name = info.sheets.find((sheet) => sheet.relationId === relationId)?.name ?? notRecognised();
      return { sheet: name, data: (relationId === undefined ? undefined : data.get(relationId)) ?? notRecognised() };
    });
  } catch (error) {
    if (error instanceof NotRecognised) return undefined;
    throw error;
  }
}
