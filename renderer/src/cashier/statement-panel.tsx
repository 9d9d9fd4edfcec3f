// A family's statement on screen (dated lines, running balance, dues aged) and as a PDF.
import { useState } from 'react';
import { formatMoney, localDate, payerStatement, type LedgerEntry, type Payer } from '@feemaster/core';
import { platform } from '#platform';
import type { Desk } from '../desk/open-desk.ts';
import { loadReceiptFonts } from './receipt-fonts.ts';
import { schoolLogo } from './print.ts';

export function StatementPanel({ desk, payer, entries, studentName }: { desk: Desk; payer: Payer; entries: readonly LedgerEntry[]; studentName: (id: string) => string }) {
  const [error, setError] = useState<string | null>(null);
  const { currency, timezone, name: schoolName } = desk.session.school;
  const asOf = localDate(new Date().toISOString(), timezone);
  const studentIds = payer.students.map((s) => s.studentId);
  const statement = payerStatement(entries, payer.id, { asOf, timeZone: timezone, studentIds });
  const money = (amount: number): string => formatMoney(amount, currency);
  const save = async (): Promise<void> => {
    setError(null);
    try {
      const [fonts, { statementPdf }, logo] = await Promise.all([loadReceiptFonts(), import('./receipt-pdf.ts'), schoolLogo(desk)]);
      const pdf = statementPdf(
        { schoolName, logo, currency, payerName: payer.name, students: studentIds.map(studentName), asOf, lines: statement.lines, closingBalance: statement.closingBalance, credit: statement.credit ?? 0, ageing: statement.ageing },
        fonts,
      );
      await platform.savePdf(pdf, `Statement ${payer.name} ${asOf}.pdf`);
    } catch (caught) {
      setError(`The statement could not be saved: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  };
  return (
    <section className="card statement" aria-label={`Statement of ${payer.name}`}>
      <div className="allocation-head">
        <h3>Statement as of {asOf}</h3>
        <button type="button" className="secondary" onClick={() => void save()}>Save statement PDF</button>
      </div>
      <table>
        <thead><tr><th>Date</th><th>What</th><th>Debit</th><th>Credit</th><th>Balance</th></tr></thead>
        <tbody>
          {statement.lines.map((line) => (
            <tr key={`${line.entryId}-${line.kind}-${line.description}`} data-testid="statement-line">
              <td>{line.date}</td>
              <td>{line.description}</td>
              <td>{line.debit > 0 ? money(line.debit) : ''}</td>
              <td>{line.credit > 0 ? money(line.credit) : ''}</td>
              <td>{money(line.balance)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>Balance <strong data-testid="statement-balance">{money(statement.closingBalance)}</strong>{(statement.credit ?? 0) > 0 ? `, of which ${money(statement.credit ?? 0)} unapplied credit` : ''}.</p>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}
