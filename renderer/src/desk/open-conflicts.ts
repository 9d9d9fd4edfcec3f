// How many sync conflicts wait for an admin's decision, for the badge on the navigation: read
// when the desk opens, when the server announces a new one, and after a decision.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { RealtimeEvent } from '@feemaster/core';
import { createAdminApi } from '../api/admin-api.ts';
import type { Desk } from './open-desk.ts';

export interface OpenConflicts {
  count: number;
  readAgain: () => void;
  /** For the live notices: a new conflict makes the count read again. */
  onEvent: (event: RealtimeEvent) => void;
}

export function useOpenConflicts(desk: Desk, enabled: boolean): OpenConflicts {
  const api = useMemo(() => createAdminApi(desk.session.serverUrl, desk.tokens), [desk]);
  const [count, setCount] = useState(0);
  const [reads, setReads] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    // Unreachable or refused: the badge keeps its last count; the screen itself says why.
    api.conflicts('open').then(
      (list) => {
        if (!cancelled) setCount(list.open);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api, enabled, reads]);
  const readAgain = useCallback(() => setReads((n) => n + 1), []);
  const onEvent = useCallback((event: RealtimeEvent) => {
    if (event.kind === 'sync-conflict') setReads((n) => n + 1);
  }, []);
  return { count, readAgain, onEvent };
}
