// The void register on the desk: every payment voided or refunded in the chosen days, its receipt
// number (which stays used), amount, who reversed it (and who approved a refund) and why;
// printable as an A5 PDF.
import { useEffect, useState } from 'react';
import { addDays, formatMoney, localDate, methodNames, voidRegister, type LedgerEntry, type Payer, type VoidRegister } from '@feemaster/core';
import { platform } from '#platform';
import type { Desk } from '../desk/open-desk.ts';
import { ledgerEntryOf } from '../db/ledger-keys.ts';
import { loadReceiptFonts } from './receipt-fonts.ts';
import { schoolLogo } from './print.ts';

async function readRegister(desk: Desk, from: string, to: string): Promise<{ register: VoidRegister; payerNames: Map<string, string> }> {
  // Two exact type reads (an $in would read the type index from the first to the last type named).
  const [voids, refunds] = await Promise.all((['void', 'refund'] as const).map(async (type) => (await desk.db.ledger.find({ selector: { type } }).exec()).map(ledgerEntryOf)));
  const reversals = [...(voids ?? []), ...(refunds ?? [])];
  const paymentIds = reversals.flatMap((v) => ((v.type === 'void' || v.type === 'refund') && v.paymentId !== undefined ? [v.paymentId] : []));
  const payments = [...(await desk.db.ledger.findByIds(paymentIds).exec()).values()].map(ledgerEntryOf);
  const entries: LedgerEntry[] = [...reversals, ...payments];
  const register = voidRegister(entries, { from, to, timeZone: desk.session.school.timezone });
  const payers = [...(await desk.db.payers.findByIds(register.lines.map((l) => l.payerId)).exec()).values()].map((d) => d.toJSON() as Payer);
  return { register, payerNames: new Map(payers.map((p) => [p.id, p.name])) };
}

export function VoidRegisterPanel({ desk, onClose }: { desk: Desk; onClose: () => void }) {
  const { timezone, currency, name: schoolName } = desk.session.school;
  const today = localDate(new Date().toISOString(), timezone);
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [read, setRead] = useState<{ register: VoidRegister; payerNames: Map<string, string> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to && to <= addDays(today, 366);
    if (!valid) return;
    readRegister(desk, from, to).then(
      (result) => current && setRead(result),
      (caught: unknown) => current && setError(`The void register could not be read: ${caught instanceof Error ? caught.message : String(caught)}`),
    );
    return () => {
      current = false;
    };
  }, [desk, from, to, today]);
  const money = (amount: number): string => formatMoney(amount, currency);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const staff = (userId: string): string => (userId === desk.session.user.id ? desk.session.user.displayName : `staff ${userId.slice(-6)}`);
  const lines = (read?.register.lines ?? []).map((line) => ({
    ...line,
    payerName: read?.payerNames.get(line.payerId) ?? 'Payer',
    methodLabel: methodNames[line.method].replace(/^./, (c) => c.toUpperCase()),
    refundLabel: line.refundMethod === undefined ? undefined : methodNames[line.refundMethod],
    when: time.format(new Date(line.voidedAt)),
  }));
  const save = async (): Promise<void> => {
    if (!read) return;
    setError(null);
    try {
      const [fonts, { voidRegisterPdf }, logo] = await Promise.all([loadReceiptFonts(), import('./receipt-pdf.ts'), schoolLogo(desk)]);
      const pdf = voidRegisterPdf(
        { schoolName, logo, currency, from, to, total: read.register.total, lines: lines.map((l) => ({
            kind: l.kind,
            receiptNumber: l.receiptNumber,
            voidedAt: l.when,
            payerName: l.payerName,
            method: l.methodLabel,
            amount: l.amount,
            reason: l.reason,
            voidedBy: staff(l.voidedBy),
            ...(l.refundLabel === undefined ? {} : { refundMethod: l.refundLabel }),
            ...(l.approvedBy === undefined ? {} : { approvedBy: staff(l.approvedBy) }),
          })) },
        fonts,
      );
      await platform.savePdf(pdf, `Void register ${from} to ${to}.pdf`);
    } catch (caught) {
      setError(`The void register could not be saved: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  };
  return (
    <section className="card void-register" aria-label="Void register">
      <div className="allocation-head">
        <h2>Void register</h2>
        <button type="button" className="link" onClick={onClose}>Close</button>
      </div>
      <div className="row">
        <label>From<input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
        <label>To<input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
      </div>
      {lines.length === 0 ? (
        <p className="muted">{read ? 'No payment was voided or refunded in these days.' : 'Reading the voids and refunds…'}</p>
      ) : (
        <table>
          <thead><tr><th>Receipt</th><th>Family</th><th>Method</th><th>Amount</th><th>Reversed</th><th>By</th><th>Reason</th></tr></thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.paymentId} data-testid="void-line" data-kind={line.kind}>
                <td><code>{line.receiptNumber}</code></td>
                <td>{line.payerName}</td>
                <td>{line.methodLabel}</td>
                <td>{money(line.amount)}</td>
                <td>{line.kind === 'void' ? 'Voided' : `Refunded (${line.refundLabel ?? ''})`} {line.when}</td>
                <td>{staff(line.voidedBy)}{line.approvedBy !== undefined && <>, approved by {staff(line.approvedBy)}</>}</td>
                <td>{line.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>Voided or refunded in all: <strong data-testid="void-total">{money(read?.register.total ?? 0)}</strong></p>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="button" className="secondary" onClick={() => void save()} disabled={!read}>Save void register PDF</button>
    </section>
  );
}
