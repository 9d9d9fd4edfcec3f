// Refunding a payment of an earlier till: the whole payment goes back, out of the till open now,
// with a reason. A manager signed in online refunds alone; anyone else asks a manager to type
// their password on this desk (which works offline too: see approveOnDesk).
import { useState, type FormEvent } from 'react';
import { formatMoney, methodNames, offlinePaymentMethods, paymentMethods, type PaymentMethod, type PaymentState, type RefundDoc } from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { approveOnDesk, loadEnrolment } from '../desk/enrolment.ts';
import { refundNeedsApproval } from './cashier-data.ts';

const label = (method: PaymentMethod): string => methodNames[method].replace(/^./, (c) => c.toUpperCase());

export function RefundForm({ desk, payment, online, onRefund, onCancel }: {
  desk: Desk;
  payment: PaymentState;
  online: boolean;
  /** Records the refund, signed by `approve` when a manager's approval is needed. */
  onRefund: (request: { method: PaymentMethod; reference?: string; reason: string }, approve: ((refund: RefundDoc) => Promise<RefundDoc>) | null) => Promise<void>;
  onCancel: () => void;
}) {
  // Money goes back by a method the desk can use now: card and PayPal refunds go through the provider.
  const methods = paymentMethods.filter((m) => offlinePaymentMethods.includes(m));
  const [method, setMethod] = useState<PaymentMethod>(methods.includes(payment.method) ? payment.method : 'cash');
  const [reference, setReference] = useState('');
  const [reason, setReason] = useState('');
  const [managerEmail, setManagerEmail] = useState('');
  const [managerPassword, setManagerPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsApproval = refundNeedsApproval(desk);
  const money = formatMoney(payment.amount, desk.session.school.currency);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    if (reason.trim().length < 3) {
      setError('Say why the payment is refunded (at least a few words): it is printed on the register and the receipt.');
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
      await onRefund({ method, ...(reference.trim() ? { reference: reference.trim() } : {}), reason: reason.trim() }, approve);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setManagerPassword('');
      setBusy(false);
    }
  };

  return (
    <form className="confirm refund" aria-label={`Refund ${payment.receiptNumber}`} onSubmit={(e) => void submit(e)}>
      <p>
        Refund receipt <strong>{payment.receiptNumber}</strong>: all {money} goes back to the family out of this till, and what it paid is owed again.
      </p>
      <div className="row">
        <label>Paid back by
          <select value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod)}>
            {methods.map((m) => <option key={m} value={m}>{label(m)}</option>)}
          </select>
        </label>
        {method !== 'cash' && <label>Reference (optional)<input value={reference} onChange={(e) => setReference(e.target.value)} maxLength={80} /></label>}
      </div>
      <label>Reason<input value={reason} onChange={(e) => setReason(e.target.value)} autoFocus maxLength={500} /></label>
      {needsApproval && (
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
