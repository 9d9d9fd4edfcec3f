// Which printer this desk's receipts go to without a dialog (the desktop app lists the
// computer's printers; a browser has none to offer and always shows its print dialog).
import { useEffect, useState } from 'react';
import { platform } from '#platform';

const KEY = 'feemaster.receiptPrinter';

/** The chosen printer, or null for the print dialog. */
export function receiptPrinter(): string | null {
  return window.localStorage.getItem(KEY);
}

export function ReceiptPrinterChoice() {
  const [printers, setPrinters] = useState<{ name: string; displayName: string }[]>([]);
  const [chosen, setChosen] = useState<string>(receiptPrinter() ?? '');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    platform.printers().then(setPrinters, (caught: unknown) => setError(`The printers could not be listed: ${caught instanceof Error ? caught.message : String(caught)}`));
  }, []);
  if (printers.length === 0 && !error) return null;
  return (
    <label className="receipt-printer">Receipts print to
      <select
        value={chosen}
        onChange={(e) => {
          setChosen(e.target.value);
          if (e.target.value) window.localStorage.setItem(KEY, e.target.value);
          else window.localStorage.removeItem(KEY);
        }}
      >
        <option value="">the print dialog</option>
        {printers.map((p) => <option key={p.name} value={p.name}>{p.displayName}</option>)}
      </select>
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}
