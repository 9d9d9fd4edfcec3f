// The one search box: results while typing, arrow keys to move, Enter to open the highlighted
// family (the first result is highlighted, so a name and Enter is enough).
import { forwardRef, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { endTimingAfterPaint, startTiming } from '../components/timings.ts';
import type { FoundPerson, PeopleIndex } from '@feemaster/core';

export const FindBox = forwardRef<HTMLInputElement, { index: PeopleIndex; onChoose: (person: FoundPerson) => void }>(function FindBox({ index, onChoose }, ref) {
  const [query, setQuery] = useState('');
  const [highlighted, setHighlighted] = useState(0);
  const results = useMemo(() => index.find(query, 12), [index, query]);
  // A keystroke's wait: from the input event to its results on screen.
  useEffect(() => endTimingAfterPaint('find'), [results]);
  const active = Math.min(highlighted, Math.max(0, results.length - 1));

  const choose = (person: FoundPerson | undefined): void => {
    if (!person) return;
    startTiming('family-open');
    onChoose(person);
    setQuery('');
    setHighlighted(0);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setHighlighted(Math.min(active + 1, results.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlighted(Math.max(active - 1, 0));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      choose(results[active]);
    } else if (event.key === 'Escape') {
      setQuery('');
    }
  };

  return (
    <div className="find-box">
      <input
        ref={ref}
        type="search"
        role="combobox"
        aria-expanded={results.length > 0}
        aria-controls="find-results"
        aria-activedescendant={results[active] ? `found-${results[active].id}` : undefined}
        aria-label="Find a student or family"
        placeholder="Name, admission number or guardian's phone"
        value={query}
        autoFocus
        onChange={(e) => {
          startTiming('find');
          setQuery(e.target.value);
          setHighlighted(0);
        }}
        onKeyDown={onKeyDown}
      />
      {query.trim() !== '' && (
        <ul id="find-results" role="listbox" className="find-results" aria-label="Search results">
          {results.length === 0 && <li className="muted">Nobody matches “{query.trim()}”.</li>}
          {results.map((person, i) => (
            <li
              key={`${person.kind}-${person.id}`}
              id={`found-${person.id}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              data-testid="found-person"
              onMouseDown={(e) => {
                e.preventDefault();
                choose(person);
              }}
            >
              <span className={`kind kind-${person.kind}`}>{person.kind === 'student' ? 'Student' : 'Family'}</span>
              <strong>{person.name}</strong>
              <span className="muted"> {person.detail}</span>
              {person.linked.length > 0 && <span className="muted linked"> · {person.kind === 'student' ? 'paid by' : 'pays for'} {person.linked.map((l) => l.name).join(', ')}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
