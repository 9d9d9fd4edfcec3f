// The bursar issues a term's invoices for two classes from the desk: the preview shows each
// class's totals and the student who cannot be billed (no fee structure for their class) without
// holding up the others; issuing again skips those billed. Then a family's contacts and children
// are edited on the Families screen.
import { expect, test } from '@playwright/test';
import { LEDGER_SCHEMA_VERSION, newId, type ClassDoc, type FeeStructure, type InvoiceDoc, type Payer, type PullResponse, type Student } from '@feemaster/core';
import { owner, push } from './cashier.ts';
import { openSection, signIn, syncIndicator } from './desk.ts';

test('term invoices for two classes, previewed and issued once; a family edited', async ({ page, request }) => {
  const { headers, schoolId } = await owner(request);
  const tag = Date.now().toString(36).toUpperCase();
  const now = new Date().toISOString();
  const base = { schoolId, createdAt: now, updatedAt: now };
  const yearId = newId();
  const termId = newId();
  const acacia: ClassDoc = { ...base, id: newId(), kind: 'class', name: `Acacia ${tag}`, data: {} };
  const jacaranda: ClassDoc = { ...base, id: newId(), kind: 'class', name: `Jacaranda ${tag}`, data: {} };
  const tuition = newId();
  await push(request, headers, '/api/v1/sync/reference/1/push', [
    { ...base, id: yearId, kind: 'academicYear', name: `Year ${tag}`, data: { startDate: '2031-01-01', endDate: '2031-12-31' } },
    { ...base, id: termId, kind: 'term', name: `Term 1 ${tag}`, data: { academicYearId: yearId, startDate: '2031-01-06', endDate: '2031-04-04' } },
    acacia, jacaranda,
    { ...base, id: tuition, kind: 'feeCategory', name: `Tuition ${tag}`, data: { code: `T${tag}`.slice(0, 12) } },
  ]);
  const structure: FeeStructure = {
    ...base, id: newId(), name: `Acacia fees ${tag}`, termId, classId: acacia.id,
    lines: [{ feeCategoryId: tuition, description: 'Tuition', amount: 1_000_000 }],
    instalments: [{ label: 'First half', dueDate: '2031-01-31', weight: 1 }, { label: 'Second half', dueDate: '2031-03-01', weight: 1 }],
  };
  await push(request, headers, '/api/v1/sync/feeStructures/0/push', [structure]);
  const student = (n: number, classId: string, firstName: string): Student => ({ ...base, id: newId(), admissionNumber: `TI-${tag}-${String(n)}`, firstName, lastName: `Mwende${tag}`, classId, status: 'active' });
  const [neema, tumaini, zuri] = [student(1, acacia.id, 'Neema'), student(2, acacia.id, 'Tumaini'), student(3, jacaranda.id, 'Zuri')];
  await push(request, headers, '/api/v1/sync/students/1/push', [neema, tumaini, zuri]);
  const family: Payer = { ...base, id: newId(), kind: 'family', name: `Mwende family ${tag}`, contacts: [], preferredChannel: 'none', students: [{ studentId: neema.id, share: 10_000 }] };
  await push(request, headers, '/api/v1/sync/payers/0/push', [family]);

  await signIn(page);
  await openSection(page, 'Term invoices');
  const form = page.getByRole('form', { name: 'Issue term invoices' });
  await form.getByLabel('Term').selectOption({ label: `Term 1 ${tag} (2031-01-06 – 2031-04-04)` });
  await form.getByLabel('Issued on').fill('2031-01-06');
  await form.getByRole('checkbox', { name: `Acacia ${tag}` }).check();
  await form.getByRole('checkbox', { name: `Jacaranda ${tag}` }).check();
  await form.getByRole('button', { name: 'Preview' }).click();

  const preview = page.getByRole('region', { name: 'Invoice preview' });
  const totals = preview.getByTestId('class-total');
  await expect(totals.nth(0)).toHaveText([/Acacia.*2.*KES\s20,000\.00.*KES\s0\.00.*KES\s20,000\.00.*0.*0/]);
  await expect(totals.nth(1)).toHaveText([/Jacaranda.*0.*KES\s0\.00.*KES\s0\.00.*KES\s0\.00.*0.*1/]);
  await expect(preview.getByTestId('invoice-failure')).toHaveText([`Jacaranda ${tag}, Zuri Mwende${tag} (TI-${tag}-3): No fee structure for term "Term 1 ${tag}", this class: add one (or one for all categories of the class), then issue again`]);
  await preview.getByText(`Acacia ${tag}: 2 students`).click();
  await expect(preview.getByTestId('student-bill')).toHaveText([/Neema.*KES\s10,000\.00.*KES\s0\.00.*KES\s10,000\.00/, /Tumaini.*KES\s10,000\.00/]);
  await preview.getByRole('button', { name: 'Issue 2 invoices' }).click();
  await expect(page.locator('.invoicing').getByRole('status')).toContainText('2 invoices issued to 2 students');
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');

  // Again: both are billed already, and nothing is issued twice.
  await form.getByRole('button', { name: 'Preview' }).click();
  await expect(totals.nth(0)).toHaveText([/Acacia.*0.*KES\s0\.00.*KES\s0\.00.*KES\s0\.00.*2.*0/]);
  await expect(preview.getByRole('button', { name: 'Nothing to issue' })).toBeDisabled();

  // The whole ledger, page by page (other specs share the server), then this term's invoices.
  const ledger: InvoiceDoc[] = [];
  for (let checkpoint = ''; ; ) {
    const pulled = await request.get(`/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/pull?limit=1000${checkpoint ? `&checkpoint=${checkpoint}` : ''}`, { headers });
    const batch = (await pulled.json()) as PullResponse<InvoiceDoc>;
    ledger.push(...batch.documents);
    if (!batch.checkpoint || (batch.documents.length < 1000 && batch.hasMore !== true)) break;
    checkpoint = String(batch.checkpoint.seq);
  }
  const invoices = ledger.filter((d) => d.type === 'invoice' && d.termId === termId);
  expect(invoices.map((inv) => [inv.studentId, inv.charges.map((c) => [c.instalment, c.dueDate, c.amount, c.payerId ?? null])]).sort()).toEqual(
    [
      [neema.id, [['First half', '2031-01-31', 500_000, family.id], ['Second half', '2031-03-01', 500_000, family.id]]],
      [tumaini.id, [['First half', '2031-01-31', 500_000, null], ['Second half', '2031-03-01', 500_000, null]]],
    ].sort(),
  );

  // The family gets a phone number (stored in E.164) and Tumaini, who pays half of his fees himself.
  await openSection(page, 'Families');
  await page.getByLabel('Search families').fill(`Mwende family ${tag}`);
  await page.getByRole('button', { name: `Edit Mwende family ${tag}` }).click();
  const edit = page.getByRole('form', { name: 'Edit family' });
  await edit.getByLabel('Phone numbers (one per line)').fill('0712 555 666');
  await edit.getByLabel('Find a child to link').fill(`TI-${tag}-2`);
  await edit.getByRole('button', { name: `Link Tumaini Mwende${tag} (TI-${tag}-2)` }).click();
  await edit.getByLabel(`Share of Tumaini Mwende${tag}`).fill('150');
  await edit.getByRole('button', { name: 'Save family' }).click();
  await expect(edit.getByRole('alert')).toContainText('must be a percentage from 0 to 100');
  await edit.getByLabel(`Share of Tumaini Mwende${tag}`).fill('50');
  await edit.getByRole('button', { name: 'Save family' }).click();
  const row = page.getByTestId('family-row').filter({ hasText: `Mwende family ${tag}` });
  await expect(row).toContainText('+254712555666');
  await expect(row).toContainText(`Tumaini Mwende${tag} (50%)`);
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');
});
