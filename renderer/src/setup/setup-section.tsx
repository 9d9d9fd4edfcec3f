// The bursar's Setup section: school settings, the calendar, classes and categories, fee
// structures, discount and late-fee rules, and the year-end promotion. Everything is read from
// and written to the desk's replica, so it all works offline; replication uploads the changes.
import { useMemo, useState } from 'react';
import type { Desk } from '../desk/open-desk.ts';
import { CalendarPage } from './calendar-page.tsx';
import { CodedItemsPage } from './coded-items-page.tsx';
import { FeeStructuresPage } from './fee-structures-page.tsx';
import { PromotionPage } from './promotion-page.tsx';
import { RulesPage } from './rules-page.tsx';
import { SettingsPage } from './settings-page.tsx';
import { refusalForKind } from './setup-store.ts';
import { setupWriter, useSetupData } from './setup-data.ts';

type SetupPage = 'settings' | 'calendar' | 'classes' | 'structures' | 'rules' | 'promotion';

const pageTitles: Readonly<Record<SetupPage, string>> = {
  settings: 'School settings',
  calendar: 'Years and terms',
  classes: 'Classes and categories',
  structures: 'Fee structures',
  rules: 'Discounts and late fees',
  promotion: 'Year-end promotion',
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
        </div>
      )}
    </section>
  );
}
