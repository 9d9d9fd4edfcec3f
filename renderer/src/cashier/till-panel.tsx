// The open till: this session's receipts (reprint, void with a reason) and closing it, where the
// cashier counts each method against what the desk expects and explains any difference.
import { useState, type FormEvent } from 'react';
import type { Observable } from 'rxjs';
import {
  MoneyError,
  closingLines,
  formatAmount,
  formatMoney,
  methodNames,
  parseMoney,
  type CashSessionOpenDoc,
  type MethodAmount,
  type PaymentDoc,
  type TillPayment,
  type TillSummary,
} from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { useObservable } from '../components/use-observable.ts';
import { closeTill, voidPayment, type DeskIdentity } from './cashier-data.ts';
import { ledgerEntryOf } from '../db/ledger-keys.ts';
import { ReceiptPrinterChoice } from './receipt-printer.tsx';

const label = (method: keyof typeof methodNames): string => methodNames[method].replace(/^./, (c) => c.toUpperCase());

export interface ClosedTill {
  summary: TillSummary;
  counted: MethodAmount[];
  varianceReason: string | null;
  closedAt: string;
}

export function TillPanel({ desk, identity, opening, summary$, onReprint, onClosed }: {
  desk: Desk;
  identity: DeskIdentity;
  opening: CashSessionOpenDoc;
  summary$: Observable<TillSummary>;
  onReprint: (payment: PaymentDoc) => void;
  onClosed: (closed: ClosedTill) => void;
}) {
  const summary = useObservable<TillSummary | null>(summary$, null);
  const [voiding, setVoiding] = useState<TillPayment | null>(null);
  const [closing, setClosing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const currency = desk.session.school.currency;
  const money = (amount: number): string => formatMoney(amount, currency);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: desk.session.school.timezone, hour: '2-digit', minute: '2-digit' });

  const docOf = async (id: string): Promise<PaymentDoc | null> => {
    const doc = await desk.db.ledger.findOne(id).exec();
    const entry = doc ? ledgerEntryOf(doc) : null;
    return entry?.type === 'payment' ? entry : null;
  };
  if (!summary) return <aside className="card till"><p className="muted">Reading the till…</p></aside>;

  return (
    <aside className="card till" aria-label="Till">
      <h3>Till {identity.series}</h3>
      <p className="muted">Open since {time.format(new Date(opening.createdAt))} · float {money(opening.float)}</p>
      <ReceiptPrinterChoice />
      <p data-testid="till-taken">Taken: <strong>{money(summary.taken)}</strong> in {summary.payments.length - summary.voids.length} receipt{summary.payments.length - summary.voids.length === 1 ? '' : 's'}</p>
      {summary.payments.length > 0 && (
        <table className="till-receipts" aria-label="Receipts in this till">
          <tbody>
            {[...summary.payments].reverse().map((p) => (
              <tr key={p.id} data-testid="till-receipt" data-receipt={p.receiptNumber} className={p.voided ? 'voided' : undefined}>
                <td><code>{p.receiptNumber}</code>{p.offline && <span className="offline-mark" title="Taken while this desk had no connection"> offline</span>}</td>
                <td>{label(p.method)}</td>
                <td className="amount">{money(p.amount)}</td>
                <td>
                  {p.voided ? (
                    <span className="status status-revoked" title={p.voided.reason}>VOID</span>
                  ) : (
                    <button type="button" className="link danger" aria-label={`Void ${p.receiptNumber}`} onClick={() => { setVoiding(p); setError(null); }}>Void</button>
                  )}{' '}
                  <button type="button" className="link" aria-label={`Reprint ${p.receiptNumber}`} onClick={() => void docOf(p.id).then((doc) => doc && onReprint(doc))}>Reprint</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {voiding && (
        <VoidForm
          payment={voiding}
          money={money}
          onCancel={() => setVoiding(null)}
          onVoid={async (reason) => {
            const doc = await docOf(voiding.id);
            if (!doc) throw new Error(`Receipt ${voiding.receiptNumber} is not on this desk any more.`);
            await voidPayment(desk, identity, doc, reason, opening.id);
            setVoiding(null);
          }}
        />
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {closing ? (
        <CloseTillForm
          summary={summary}
          currency={currency}
          onCancel={() => setClosing(false)}
          onClose={async (counted, reason) => {
            const closingDoc = await closeTill(desk, identity, opening, { expected: summary.expected, counted, ...(reason ? { varianceReason: reason } : {}) });
            onClosed({ summary, counted, varianceReason: reason, closedAt: closingDoc.createdAt });
          }}
        />
      ) : (
        <button type="button" className="secondary" onClick={() => setClosing(true)}>Close the till…</button>
      )}
    </aside>
  );
}

function VoidForm({ payment, money, onVoid, onCancel }: { payment: TillPayment; money: (n: number) => string; onVoid: (reason: string) => Promise<void>; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (reason.trim().length < 3) {
      setError('Say why the payment is voided (at least a few words); it is printed on the void register.');
      return;
    }
    try {
      await onVoid(reason);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <form className="confirm" aria-label={`Void ${payment.receiptNumber}`} onSubmit={(e) => void submit(e)}>
      <p>Void receipt <strong>{payment.receiptNumber}</strong> of {money(payment.amount)}? The number stays used and the receipt reads VOID.</p>
      <label>Reason<input value={reason} onChange={(e) => setReason(e.target.value)} autoFocus /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" className="danger">Void payment</button>
        <button type="button" className="secondary" onClick={onCancel}>Keep it</button>
      </div>
    </form>
  );
}

function CloseTillForm({ summary, currency, onClose, onCancel }: { summary: TillSummary; currency: string; onClose: (counted: MethodAmount[], reason: string | null) => Promise<void>; onCancel: () => void }) {
  const [counts, setCounts] = useState<Record<string, string>>(() => Object.fromEntries(summary.expected.map((line) => [line.method, ''])));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const money = (amount: number): string => formatMoney(amount, currency);
  const parsed = summary.expected.map((line) => {
    const text = counts[line.method] ?? '';
    try {
      return { method: line.method, amount: text.trim() === '' ? null : parseMoney(text, currency) };
    } catch (caught) {
      if (caught instanceof MoneyError) return { method: line.method, amount: Number.NaN };
      throw caught;
    }
  });
  const complete = parsed.every((p) => p.amount !== null && !Number.isNaN(p.amount));
  const counted: MethodAmount[] = parsed.map((p) => ({ method: p.method, amount: p.amount !== null && !Number.isNaN(p.amount) ? p.amount : 0 }));
  const lines = closingLines(summary, counted);
  const variance = complete && lines.some((line) => line.variance !== 0);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    if (!complete) {
      setError('Count every method and enter what you counted (0 if none).');
      return;
    }
    if (variance && reason.trim().length < 3) {
      setError('The count differs from what was expected: give the reason before closing.');
      return;
    }
    try {
      await onClose(counted, variance ? reason.trim() : null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <form className="close-till" aria-label="Close the till" onSubmit={(e) => void submit(e)}>
      <h4>Close the till</h4>
      <table>
        <thead><tr><th>Method</th><th>Expected</th><th>Counted</th><th>Difference</th></tr></thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.method}>
              <td>{label(line.method)}</td>
              <td>{money(line.expected)}</td>
              <td><input aria-label={`Counted ${label(line.method)}`} value={counts[line.method] ?? ''} onChange={(e) => setCounts({ ...counts, [line.method]: e.target.value })} inputMode="decimal" placeholder={formatAmount(line.expected, currency)} /></td>
              <td data-testid={`variance-${line.method}`}>{complete ? money(line.variance) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {variance && <label>Reason for the difference<input value={reason} onChange={(e) => setReason(e.target.value)} /></label>}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit">Close till</button>
        <button type="button" className="secondary" onClick={onCancel}>Not yet</button>
      </div>
    </form>
  );
}
