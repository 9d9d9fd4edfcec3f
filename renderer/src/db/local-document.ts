// A local document of a collection, live. RxDB's getLocal$ runs two async steps for every change
// event of the whole collection (30,000 per observer for an import of 15,000 documents, each
// unsubscribing from an ever longer list); this looks once at each bulk of changes, and reads the
// document again only when a bulk changed it.
import type { RxCollection, RxLocalDocument } from 'rxdb';
import { filter, startWith, switchMap, type Observable } from 'rxjs';

export function localDocument$<D>(collection: RxCollection, id: string): Observable<RxLocalDocument<unknown, D> | null> {
  return collection.eventBulks$.pipe(
    filter((bulk) => bulk.isLocal && bulk.events.some((event) => event.documentId === id)),
    startWith(null),
    switchMap(() => collection.getLocal<D>(id)),
  );
}
