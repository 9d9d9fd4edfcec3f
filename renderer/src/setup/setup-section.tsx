// The bursar's Setup section: school settings, the calendar, classes and categories, fee
// structures, discount and late-fee rules, and the year-end promotion. Everything is read from
// and written to the desk's replica, so it all works offline; replication uploads the changes.
import { useMemo, useState } from 'react';
import { mayPerform } from '@feemaster/core';
import { isOfflineSession } from '../api/session.ts';
import type { Desk } from '../desk/open-desk.ts';
import { CalendarPage } from './calendar-page.tsx';
import { CodedItemsPage } from './coded-items-page.tsx';
import { FeeStructuresPage } from './fee-structures-page.tsx';
import { PromotionPage } from './promotion-page.tsx';
import { RulesPage } from './rules-page.tsx';
import { SettingsPage } from './settings-page.tsx';
import { refusalForKind } from './setup-store.ts';
import { setupWriter, useSetupData } from './setup-data.ts';
import { ImportPanel } from '../students/import-panel.tsx';
import type { ImportKind } from '../students/import-messages.ts';

type SetupPage = 'settings' | 'calendar' | 'classes' | 'structures' | 'rules' | 'promotion' | 'imports';

const pageTitles: Readonly<Record<SetupPage, string>> = {
  settings: 'School settings',
  calendar: 'Years and terms',
  classes: 'Classes and categories',
  structures: 'Fee structures',
  rules: 'Discounts and late fees',
  promotion: 'Year-end promotion',
  imports: 'Import from Excel',
};
const pages = Object.keys(pageTitles) as SetupPage[];

export function SetupSection({ desk }: { desk: Desk }) {
  const writer = useMemo(() => setupWriter(desk), [desk]);
  const data = useSetupData(desk);
  // A bursar may not change the settings: their work starts with the calendar.
  const [page, setPage] = useState<SetupPage>(() => (refusalForKind(writer, 'settings') === null ? 'settings' : 'calendar'));

  return (
    <section className="setup" aria-label="Setup">
      <div className="toolbar">
        <h2>Setup</h2>
      </div>
      <nav className="setup-nav" aria-label="Setup pages">
        {pages.map((p) => (
          <button key={p} type="button" className={p === page ? 'active' : 'secondary'} aria-current={p === page ? 'page' : undefined} onClick={() => setPage(p)}>
            {pageTitles[p]}
          </button>
        ))}
      </nav>
      {!data.loaded ? (
        <p className="muted" role="status">Reading the school’s setup on this desk…</p>
      ) : (
        <div className="setup-page">
          <h3>{pageTitles[page]}</h3>
          {page === 'settings' && <SettingsPage desk={desk} writer={writer} data={data} />}
          {page === 'calendar' && <CalendarPage writer={writer} data={data} />}
          {page === 'classes' && <CodedItemsPage desk={desk} writer={writer} data={data} />}
          {page === 'structures' && <FeeStructuresPage writer={writer} data={data} />}
          {page === 'rules' && <RulesPage desk={desk} writer={writer} data={data} />}
          {page === 'promotion' && <PromotionPage desk={desk} writer={writer} data={data} />}
          {page === 'imports' && <ImportsPage desk={desk} />}
        </div>
      )}
    </section>
  );
}

/** Fee structures and opening balances from a spreadsheet (students are imported on the Students screen). */
function ImportsPage({ desk }: { desk: Desk }) {
  const [kind, setKind] = useState<ImportKind | null>(null);
  const mayImport = mayPerform(desk.session.user.role, 'bulk.import', isOfflineSession(desk.session) ? 'offline' : 'online');
  if (!mayImport) return <p className="notice">Importing is for owners, admins and bursars signed in online.</p>;
  return (
    <div className="setup-imports">
      <p className="muted">Students and their guardians are imported on the Students screen. Here: the fee structures of a term, and what each student owed in the old books.</p>
      <div className="actions">
        <button type="button" className={kind === 'fees' ? '' : 'secondary'} onClick={() => setKind('fees')}>Import fee structures</button>
        <button type="button" className={kind === 'balances' ? '' : 'secondary'} onClick={() => setKind('balances')}>Import opening balances</button>
      </div>
      {kind && <ImportPanel key={kind} desk={desk} kind={kind} onClose={() => setKind(null)} />}
    </div>
  );
}
