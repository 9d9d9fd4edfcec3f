// Refunding a payment of an earlier till (the whole payment goes back) or part or all of a
// family's credit, out of the till open now, with a reason. A manager signed in online refunds
// alone; anyone else asks a manager to type their password on this desk (which works offline
// too: see approveOnDesk).
import { useState, type FormEvent } from 'react';
import { MoneyError, formatAmount, formatMoney, methodNames, offlinePaymentMethods, parseMoney, paymentMethods, type PaymentMethod, type PaymentState, type RefundDoc } from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { approveOnDesk, loadEnrolment } from '../desk/enrolment.ts';
import { refundNeedsApproval, type ApproveRefund } from './cashier-data.ts';

const label = (method: PaymentMethod): string => methodNames[method].replace(/^./, (c) => c.toUpperCase());

/** What is refunded: a whole payment, or up to the family's credit. */
export type RefundSubject = { kind: 'payment'; payment: PaymentState } | { kind: 'credit'; credit: number };

export interface RefundRequestInput {
  method: PaymentMethod;
  reference?: string;
  reason: string;
  /** For a refund of credit: how much. */
  amount?: number;
}

export function RefundForm({ desk, subject, online, cashInTill, onRefund, onCancel }: {
  desk: Desk;
  subject: RefundSubject;
  online: boolean;
  /** The cash the open till holds (null while it is read): a cash refund is paid out of it. */
  cashInTill: number | null;
  /** Records the refund, signed by `approve` when a manager's approval is needed. */
  onRefund: (request: RefundRequestInput, approve: ApproveRefund) => Promise<void>;
  onCancel: () => void;
}) {
  const currency = desk.session.school.currency;
  // A card payment goes back to the card through Stripe; anything else by a method the desk can use offline.
  const toCard = subject.kind === 'payment' && subject.payment.method === 'card';
  const methods = toCard ? (['card'] as PaymentMethod[]) : paymentMethods.filter((m) => offlinePaymentMethods.includes(m));
  const [method, setMethod] = useState<PaymentMethod>(subject.kind === 'payment' && methods.includes(subject.payment.method) ? subject.payment.method : 'cash');
  const [amountText, setAmountText] = useState(subject.kind === 'credit' ? formatAmount(subject.credit, currency) : '');
  const [reference, setReference] = useState('');
  const [reason, setReason] = useState('');
  const [managerEmail, setManagerEmail] = useState('');
  const [managerPassword, setManagerPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsApproval = refundNeedsApproval(desk);
  // Why a card refund cannot be made here now (it needs Stripe, so the connection and a manager signed in).
  const cardBlocked = !toCard ? null : !online ? 'A card payment goes back to the card through Stripe: refund it once the desk is back online.' : needsApproval ? 'A card payment goes back to the card through Stripe, online: a bursar, administrator or the owner signs in on this desk and refunds it.' : null;
  const parsedAmount = ((): number | null => {
    if (subject.kind === 'payment') return subject.payment.amount;
    try {
      return parseMoney(amountText, currency);
    } catch (caught) {
      if (caught instanceof MoneyError) return null;
      throw caught;
    }
  })();
  const money = formatMoney(parsedAmount ?? 0, currency);
  const title = subject.kind === 'payment' ? `Refund ${subject.payment.receiptNumber}` : 'Refund credit';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    if (subject.kind === 'credit' && (parsedAmount === null || parsedAmount <= 0 || parsedAmount > subject.credit)) {
      setError(`Enter an amount above nothing and at most the credit of ${formatMoney(subject.credit, currency)}.`);
      return;
    }
    if (method === 'cash' && cashInTill !== null && parsedAmount !== null && parsedAmount > cashInTill) {
      setError(`The till holds only ${formatMoney(cashInTill, currency)} in cash: pay it back by bank transfer, mobile money or cheque, or once the till holds enough.`);
      return;
    }
    if (cardBlocked) {
      setError(cardBlocked);
      return;
    }
    if (reason.trim().length < 3) {
      setError('Say why the money goes back (at least a few words): it is kept with the refund and printed on the register.');
      return;
    }
    if (needsApproval && (!managerEmail.trim() || !managerPassword)) {
      setError('A manager approves this refund: they type their email and password here.');
      return;
    }
    const approve = needsApproval
      ? async (refund: RefundDoc): Promise<RefundDoc> => {
          const enrolment = await loadEnrolment();
          if (!enrolment) throw new Error('This browser is not a registered desk, so a manager’s approval cannot be entered here: the manager signs in and refunds it.');
          const result = await approveOnDesk(enrolment, managerEmail, managerPassword, refund);
          if (!result.ok) throw new Error(result.reason);
          return result.refund;
        }
      : null;
    setBusy(true);
    try {
      await onRefund({ method, ...(reference.trim() ? { reference: reference.trim() } : {}), reason: reason.trim(), ...(subject.kind === 'credit' && parsedAmount !== null ? { amount: parsedAmount } : {}) }, approve);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setManagerPassword('');
      setBusy(false);
    }
  };

  return (
    <form className="confirm refund" aria-label={title} onSubmit={(e) => void submit(e)}>
      {subject.kind === 'payment' ? (
        <p>
          Refund receipt <strong>{subject.payment.receiptNumber}</strong>: all {money} goes back {toCard ? 'to the card it was paid with, through Stripe' : 'to the family (cash out of this till)'}, and what it paid is owed again.
        </p>
      ) : (
        <>
          <p>Pay back part or all of the family’s credit of <strong>{formatMoney(subject.credit, currency)}</strong> (cash out of this till).</p>
          <label>Amount ({currency})<input value={amountText} onChange={(e) => setAmountText(e.target.value)} inputMode="decimal" /></label>
        </>
      )}
      <div className="row">
        <label>Paid back by
          <select value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod)}>
            {methods.map((m) => <option key={m} value={m}>{label(m)}</option>)}
          </select>
        </label>
        {method !== 'cash' && !toCard && <label>Reference (optional)<input value={reference} onChange={(e) => setReference(e.target.value)} maxLength={80} /></label>}
      </div>
      <label>Reason<input value={reason} onChange={(e) => setReason(e.target.value)} autoFocus maxLength={500} /></label>
      {cardBlocked && <p className="notice" role="note">{cardBlocked}</p>}
      {needsApproval && !toCard && (
        <fieldset className="approval">
          <legend>Manager’s approval</legend>
          <p className="muted">
            {online ? '' : 'Offline: '}a bursar, administrator or the owner who has signed in on this desk before types their password. It is checked here and again by the server.
          </p>
          <div className="row">
            <label>Manager’s email<input type="email" value={managerEmail} onChange={(e) => setManagerEmail(e.target.value)} autoComplete="off" /></label>
            <label>Manager’s password<input type="password" value={managerPassword} onChange={(e) => setManagerPassword(e.target.value)} autoComplete="off" /></label>
          </div>
        </fieldset>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" className="danger" disabled={busy}>{busy ? 'Refunding…' : `Refund ${money}`}</button>
        <button type="button" className="secondary" onClick={onCancel}>Keep it</button>
      </div>
    </form>
  );
}
