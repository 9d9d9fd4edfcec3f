// The signed-in desk: the header (school, person, sync state, sign out) and the sections the
// person's role may open, switched by a navigation bar built from the permission table.
import { useState } from 'react';
import { SyncIndicator } from '../components/sync-indicator.tsx';
import { endSignInOnServer } from '../api/logout.ts';
import { AuditScreen } from '../screens/audit-screen.tsx';
import { StudentsScreen } from '../screens/students-screen.tsx';
import type { Desk } from './open-desk.ts';
import { deskSections, sectionTitles, type DeskSection } from './sections.ts';

export function DeskView({ desk, onSignOut }: { desk: Desk; onSignOut: (notice: string) => void }) {
  const sections = deskSections(desk.session.user.role);
  const [chosen, setChosen] = useState<DeskSection>('students');
  const [signingOut, setSigningOut] = useState(false);
  // A role that lost a section (never shown to it) falls back to the first it may open.
  const section = sections.includes(chosen) ? chosen : (sections[0] ?? 'students');

  const signOut = async (): Promise<void> => {
    setSigningOut(true);
    // The latest rotation of the refresh token: the one the desk signed in with is long used up.
    const { notice } = await endSignInOnServer(desk.tokens.session());
    onSignOut(notice);
  };

  return (
    <div className="desk">
      <header className="topbar">
        <div>
          <strong>{desk.session.school.name}</strong>
          <span className="muted"> · {desk.session.user.displayName} ({desk.session.user.role})</span>
        </div>
        <SyncIndicator store={desk.status} />
        <button type="button" className="secondary" onClick={() => void signOut()} disabled={signingOut} aria-busy={signingOut}>Sign out</button>
      </header>
      <nav className="desk-nav" aria-label="Desk sections">
        {sections.map((s) => (
          <button key={s} type="button" className={s === section ? 'active' : 'secondary'} aria-current={s === section ? 'page' : undefined} onClick={() => setChosen(s)}>
            {sectionTitles[s]}
          </button>
        ))}
      </nav>
      {section === 'audit' ? <AuditScreen desk={desk} /> : <StudentsScreen desk={desk} />}
    </div>
  );
}
