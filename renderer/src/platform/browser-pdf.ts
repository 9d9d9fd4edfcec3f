// Printing and saving a PDF the way a browser does: the print dialog of a hidden frame showing
// it, or a download. The web adapter uses these; the desktop adapter too until its main process
// prints to a chosen printer itself.

function blobUrl(pdf: Uint8Array): string {
  // A copy: the Blob must own its bytes (the caller's buffer may be reused).
  return URL.createObjectURL(new Blob([pdf.slice()], { type: 'application/pdf' }));
}

export function downloadPdf(pdf: Uint8Array, fileName: string): Promise<void> {
  const url = blobUrl(pdf);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Long enough for the browser to have read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return Promise.resolve();
}

export function printPdfInFrame(pdf: Uint8Array, title: string): Promise<void> {
  const url = blobUrl(pdf);
  const frame = document.createElement('iframe');
  frame.title = title;
  frame.style.position = 'fixed';
  frame.style.width = '0';
  frame.style.height = '0';
  frame.style.border = '0';
  frame.src = url;
  return new Promise((resolve, reject) => {
    frame.onload = () => {
      try {
        frame.contentWindow?.focus();
        frame.contentWindow?.print();
        resolve();
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        // The dialog holds the document while it is open; drop the frame a while after.
        setTimeout(() => {
          frame.remove();
          URL.revokeObjectURL(url);
        }, 60_000);
      }
    };
    document.body.append(frame);
  });
}
