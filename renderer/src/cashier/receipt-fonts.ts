// The fonts receipts embed, fetched from the app's own bundle the first time something prints
// (offline too: they ship with the app) and kept for the session.
import regularUrl from 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf?url';
import boldUrl from 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf?url';
import type { ReceiptFonts } from './receipt-pdf.ts';

let loading: Promise<ReceiptFonts> | null = null;

async function base64Of(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The receipt font could not be loaded (HTTP ${String(response.status)}); reload the app and print again.`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function loadReceiptFonts(): Promise<ReceiptFonts> {
  loading ??= Promise.all([base64Of(regularUrl), base64Of(boldUrl)]).then(([regular, bold]) => ({ regular, bold }));
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
