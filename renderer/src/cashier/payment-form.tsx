// Taking a payment for one family: the amount (what is due now, to start with), the method and
// its particulars, how it is spread over the children's dues (oldest first, or as the cashier
// chooses) and what is left owing after it. Enter takes it.
import { useRef, useState, type FormEvent } from 'react';
import {
  newId,
  AllocationError,
  MoneyError,
  allocatePayment,
  changeDue,
  chargedParticulars,
  formatAmount,
  formatMoney,
  localDate,
  methodUnavailable,
  offlinePaymentMethods,
  owedAfter,
  parseMoney,
  particularsProblems,
  paymentMethods,
  type AllocationMode,
  type CardSetup,
  type AllocationResult,
  type PayerAccount,
  type PaymentMethod,
  type PaymentParticulars,
} from '@feemaster/core';
import type { CardApi } from '../api/card-api.ts';
import { CardCharge, preferredReader, rememberReader, type CardAttempt } from './card-charge.tsx';

const METHOD_LABELS: Record<PaymentMethod, string> = { cash: 'Cash', cheque: 'Cheque', bankTransfer: 'Bank transfer', mobileMoney: 'Mobile money', card: 'Card (Stripe)', paypal: 'PayPal' };
const PROVIDERS = ['M-Pesa', 'MTN MoMo', 'Airtel Money', 'Tigo Pesa', 'Orange Money'];

export interface PaymentFormProps {
  account: PayerAccount;
  currency: string;
  timeZone: string;
  studentName: (id: string) => string;
  online: boolean;
  /** Providers the school has connected (card, PayPal), and why one is not, when known. */
  providers: ReadonlySet<PaymentMethod>;
  providerReasons?: Partial<Record<PaymentMethod, string>>;
  /** Card payments on the school's Stripe reader, when the server offers them. */
  card?: { api: CardApi; setup: CardSetup; deviceId: string; payerId: string };
  /** Records the payment; `id` is set for a card payment, charged under that id already. */
  onTake: (particulars: PaymentParticulars, allocation: AllocationResult, options?: { id: string }) => Promise<void>;
}

/** An amount typed in the school's currency: null when empty, NaN when it is not an amount. */
function parseAmount(value: string, currency: string): number | null {
  if (value.trim() === '') return null;
  try {
    return parseMoney(value, currency);
  } catch (caught) {
    if (caught instanceof MoneyError) return Number.NaN;
    throw caught;
  }
}

/** How the amount is spread, or why it cannot be (null result and no error: no amount yet). */
function allocationPreview(amount: number | null, chosen: Record<string, string> | null, account: PayerAccount, currency: string): { result: AllocationResult; error: null } | { result: null; error: string | null } {
  if (amount === null || Number.isNaN(amount) || amount <= 0) return { result: null, error: null };
  const mode: AllocationMode = chosen
    ? { kind: 'chosen', allocations: account.open.map((c) => ({ chargeId: c.id, amount: parseAmount(chosen[c.id] ?? '', currency) ?? 0 })).filter((a) => !Number.isNaN(a.amount)) }
    : { kind: 'oldest-first' };
  try {
    return { result: allocatePayment({ amount, charges: account.open, mode, currency }), error: null };
  } catch (caught) {
    if (caught instanceof AllocationError) return { result: null, error: caught.message };
    throw caught;
  }
}

type Text = Record<'amount' | 'tendered' | 'reference' | 'chequeNumber' | 'chequeBank' | 'chequeDate' | 'provider', string>;

export function PaymentForm({ account, currency, timeZone, studentName, online, providers, providerReasons, card, onTake }: PaymentFormProps) {
  const suggested = account.dueNow > 0 ? account.dueNow : account.dueNow + account.dueLater;
  const [text, setText] = useState<Text>({
    amount: suggested > 0 ? formatAmount(suggested, currency) : '',
    tendered: '',
    reference: '',
    chequeNumber: '',
    chequeBank: '',
    chequeDate: localDate(new Date().toISOString(), timeZone),
    provider: PROVIDERS[0] ?? '',
  });
  const [method, setMethod] = useState<PaymentMethod>('cash');
  const [choosing, setChoosing] = useState(false);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submitting = useRef(false);
  const readers = card?.setup.readers ?? [];
  const [pickedReader, setReaderId] = useState<string | null>(null);
  // The readers arrive from the server after the form opens: until one is picked, the preferred one.
  const readerId = pickedReader !== null && readers.some((r) => r.id === pickedReader) ? pickedReader : preferredReader(readers);
  const [charging, setCharging] = useState<{ attempt: CardAttempt; allocation: AllocationResult } | null>(null);
  const set = (field: keyof Text) => (e: { target: { value: string } }) => setText({ ...text, [field]: e.target.value });

  const parse = (value: string): number | null => parseAmount(value, currency);
  const amount = parse(text.amount);
  const tendered = parse(text.tendered);
  const particulars: PaymentParticulars = {
    method,
    amount: amount ?? 0,
    ...(method === 'cash' && tendered !== null && !Number.isNaN(tendered) ? { tendered } : {}),
    ...(method === 'bankTransfer' || method === 'mobileMoney' ? { reference: text.reference } : {}),
    ...(method === 'cheque' ? { cheque: { number: text.chequeNumber, bank: text.chequeBank, date: text.chequeDate } } : {}),
    ...(method === 'mobileMoney' ? { mobileMoneyProvider: text.provider } : {}),
  };

  // The preview: oldest due first unless the cashier typed amounts per charge.
  const preview = allocationPreview(amount, choosing ? chosen : null, account, currency);
  const after = preview.result ? owedAfter(account, preview.result.allocations) : null;
  const change = changeDue(particulars);

  const startChoosing = (): void => {
    const amounts = Object.fromEntries((preview.result?.allocations ?? []).map((a) => [a.chargeId, formatAmount(a.amount, currency)]));
    setChosen(amounts);
    setChoosing(true);
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (submitting.current) return;
    // Nothing re-renders before the payment is written unless something changed: a render of the
    // family's account here would run inside the commit the cashier waits for.
    if (error !== null) setError(null);
    const found = Object.fromEntries(particularsProblems(particulars, currency).map((p) => [p.field, p.message]));
    if (amount !== null && Number.isNaN(amount)) found.amount = `“${text.amount}” is not an amount in ${currency}`;
    if (tendered !== null && Number.isNaN(tendered)) found.tendered = `“${text.tendered}” is not an amount in ${currency}`;
    const unavailable = methodUnavailable(method, { online, providers, reasons: providerReasons });
    if (unavailable) found.method = unavailable;
    if (method === 'card' && !readers.some((r) => r.id === readerId)) found.method = 'Choose the card reader the payer uses';
    if (Object.keys(found).length > 0 || Object.keys(problems).length > 0) setProblems(found);
    if (Object.keys(found).length > 0) return;
    if (!preview.result) {
      setError(preview.error ?? 'Enter the amount received');
      return;
    }
    if (method === 'card' && card) {
      rememberReader(readerId);
      const attempt: CardAttempt = { paymentId: newId(), payerId: card.payerId, currency, readerId, particulars, allocations: preview.result.allocations };
      setCharging({ attempt, allocation: preview.result });
      return;
    }
    // A second Enter cannot take the payment twice; the button shows busy only if the write is slow.
    submitting.current = true;
    const slow = setTimeout(() => setBusy(true), 150);
    try {
      await onTake(particulars, preview.result);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      clearTimeout(slow);
      submitting.current = false;
      setBusy(false);
    }
  };

  const money = (value: number): string => formatMoney(value, currency);
  const fieldError = (name: string) => problems[name] && <span className="field-error" role="alert">{problems[name]}</span>;
  return (
    <form className="card payment-form" aria-label="Take a payment" onSubmit={(e) => void submit(e)}>
      <div className="row">
        <label>Amount received ({currency})
          <input value={text.amount} onChange={set('amount')} inputMode="decimal" autoFocus aria-invalid={problems.amount ? true : undefined} data-testid="payment-amount" />
          {fieldError('amount')}
        </label>
        <fieldset className="methods">
          <legend>Method</legend>
          {paymentMethods.map((m) => {
            const unavailable = methodUnavailable(m, { online, providers, reasons: providerReasons });
            return (
              <label key={m} className="method" title={unavailable ?? undefined}>
                <input type="radio" name="method" value={m} checked={method === m} disabled={unavailable !== null} onChange={() => setMethod(m)} />
                {METHOD_LABELS[m]}
              </label>
            );
          })}
          {paymentMethods.flatMap((m) => {
            const unavailable = offlinePaymentMethods.includes(m) ? null : methodUnavailable(m, { online, providers, reasons: providerReasons });
            return unavailable ? [<p key={m} className="hint method-reason">{unavailable}</p>] : [];
          })}
          {fieldError('method')}
        </fieldset>
      </div>
      {method === 'cash' && (
        <div className="row">
          <label>Cash handed over (optional)
            <input value={text.tendered} onChange={set('tendered')} inputMode="decimal" data-testid="cash-tendered" />
            {fieldError('tendered')}
          </label>
          <p className="change" data-testid="change-due">{change > 0 ? <>Change to give: <strong>{money(change)}</strong></> : null}</p>
        </div>
      )}
      {method === 'cheque' && (
        <div className="row">
          <label>Cheque number<input value={text.chequeNumber} onChange={set('chequeNumber')} />{fieldError('chequeNumber')}</label>
          <label>Bank it is drawn on<input value={text.chequeBank} onChange={set('chequeBank')} />{fieldError('chequeBank')}</label>
          <label>Date on the cheque<input type="date" value={text.chequeDate} onChange={set('chequeDate')} />{fieldError('chequeDate')}</label>
        </div>
      )}
      {method === 'mobileMoney' && (
        <div className="row">
          <label>Service
            <input value={text.provider} onChange={set('provider')} list="mobile-money-providers" />
            <datalist id="mobile-money-providers">{PROVIDERS.map((p) => <option key={p} value={p} />)}</datalist>
            {fieldError('mobileMoneyProvider')}
          </label>
          <label>Transaction code<input value={text.reference} onChange={set('reference')} />{fieldError('reference')}</label>
        </div>
      )}
      {method === 'card' && card && (
        <div className="row">
          <label>Card reader
            <select value={readerId} onChange={(e) => setReaderId(e.target.value)} disabled={charging !== null} data-testid="card-reader">
              {readers.map((r) => <option key={r.id} value={r.id} disabled={!r.online}>{r.label}{r.online ? '' : ' (offline)'}</option>)}
            </select>
          </label>
          {card.setup.simulated && <p className="hint">Simulated reader: test cards only, no money moves.</p>}
        </div>
      )}
      {method === 'bankTransfer' && (
        <div className="row">
          <label>Bank reference<input value={text.reference} onChange={set('reference')} />{fieldError('reference')}</label>
        </div>
      )}

      <div className="allocation" aria-label="How the payment is spread">
        <div className="allocation-head">
          <strong>Goes to</strong>
          {choosing ? (
            <button type="button" className="link" onClick={() => setChoosing(false)}>Oldest due first</button>
          ) : (
            <button type="button" className="link" onClick={startChoosing} disabled={account.open.length === 0}>Choose amounts</button>
          )}
        </div>
        {account.open.length === 0 ? (
          <p className="muted">Nothing is owed: the whole payment goes to the family’s credit.</p>
        ) : (
          <table className="allocation-table">
            <thead><tr><th>Due</th><th>Student</th><th>Item</th><th>Owed</th><th>This payment</th></tr></thead>
            <tbody>
              {account.open.map((charge) => {
                const allocated = preview.result?.allocations.find((a) => a.chargeId === charge.id)?.amount ?? 0;
                return (
                  <tr key={charge.id} data-testid="allocation-row">
                    <td>{charge.dueDate}</td>
                    <td>{studentName(charge.studentId)}</td>
                    <td>{charge.description}{charge.instalment ? ` (${charge.instalment})` : ''}</td>
                    <td>{money(charge.open)}</td>
                    <td>
                      {choosing ? (
                        <input className="amount-cell" aria-label={`Amount for ${studentName(charge.studentId)} ${charge.description}`} value={chosen[charge.id] ?? ''} onChange={(e) => setChosen({ ...chosen, [charge.id]: e.target.value })} inputMode="decimal" />
                      ) : allocated > 0 ? money(allocated) : '—'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {preview.error && <p className="error" role="alert">{preview.error}</p>}
        {preview.result && after && (
          <p className="after" data-testid="owed-after">
            {preview.result.credit > 0 && <>To credit: <strong>{money(preview.result.credit)}</strong>. </>}
            Still owed after this payment: <strong>{money(after.total)}</strong>
            {account.studentIds.length > 1 && <> ({account.studentIds.map((id) => `${studentName(id)} ${money(after.byStudent.get(id) ?? 0)}`).join(', ')})</>}
          </p>
        )}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {charging && card ? (
        <CardCharge
          api={card.api}
          deviceId={card.deviceId}
          attempt={charging.attempt}
          reader={readers.find((r) => r.id === charging.attempt.readerId)}
          onApproved={async (status) => {
            try {
              await onTake(chargedParticulars(charging.attempt.particulars, status), charging.allocation, { id: charging.attempt.paymentId });
            } catch (caught) {
              setError(`The card was approved but the payment could not be saved here: ${caught instanceof Error ? caught.message : String(caught)}. Do not charge the card again; the desk records it when it next opens.`);
              throw caught;
            }
          }}
          onEnded={() => setCharging(null)}
        />
      ) : (
        <div className="actions">
          <button type="submit" disabled={busy} aria-busy={busy}>{method === 'card' ? 'Charge the card' : 'Take payment'}</button>
        </div>
      )}
    </form>
  );
}
