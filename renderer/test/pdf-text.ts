// The text of a PDF as a person reads the paper, one string per line, for tests of receipts and
// reports (PDF.js, the reader browsers use).
export async function pdfText(bytes: Uint8Array): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await pdfjs.getDocument({ data: bytes.slice(), useSystemFonts: false }).promise;
  const lines: string[] = [];
  for (let n = 1; n <= pdf.numPages; n += 1) {
    const content = await (await pdf.getPage(n)).getTextContent();
    for (const item of content.items) if ('str' in item && item.str.trim()) lines.push(item.str.replaceAll('\u00a0', ' '));
  }
  return lines;
}

/** One picture drawn on a page, in millimetres from the page's top-left corner. */
export interface PdfImage {
  page: number;
  x: number;
  top: number;
  width: number;
  height: number;
}

const PT_IN_MM = 25.4 / 72;

/** The pictures drawn on each page (PDF.js's operator list: the transform set just before each image is painted). */
export async function pdfImages(bytes: Uint8Array): Promise<{ pageHeights: number[]; images: PdfImage[] }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await pdfjs.getDocument({ data: bytes.slice(), useSystemFonts: false }).promise;
  const images: PdfImage[] = [];
  const pageHeights: number[] = [];
  for (let n = 1; n <= pdf.numPages; n += 1) {
    const page = await pdf.getPage(n);
    const [, , , pageTop = 0] = page.view;
    pageHeights.push(pageTop * PT_IN_MM);
    const { fnArray, argsArray } = await page.getOperatorList();
    let matrix = [1, 0, 0, 1, 0, 0];
    fnArray.forEach((fn, i) => {
      const args = argsArray[i] as unknown[];
      if (fn === pdfjs.OPS.transform) matrix = args as number[];
      if (fn === pdfjs.OPS.paintImageXObject) {
        const [width = 0, , , height = 0, x = 0, y = 0] = matrix;
        images.push({ page: n, x: x * PT_IN_MM, top: (pageTop - y - height) * PT_IN_MM, width: width * PT_IN_MM, height: height * PT_IN_MM });
      }
    });
  }
  return { pageHeights, images };
}
