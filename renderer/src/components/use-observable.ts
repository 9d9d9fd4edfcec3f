// Subscribes a component to an RxJS observable (RxDB queries, the sync status).
import { useEffect, useState } from 'react';
import type { Observable } from 'rxjs';

export function useObservable<T>(source: Observable<T>, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const subscription = source.subscribe(setValue);
    return () => subscription.unsubscribe();
  }, [source]);
  return value;
}
