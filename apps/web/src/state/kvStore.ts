/**
 * Where the browser keeps things between visits, behind a tiny interface so the format and its
 * migrations are tested against an in-memory map and the page uses localStorage.
 */
export interface KeyValueStore {
  get(key: string): string | null;
  /** False when the value could not be stored (quota, storage disabled). */
  set(key: string, value: string): boolean;
  remove(key: string): void;
}

export function memoryStore(initial: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: (k) => data.get(k) ?? null,
    set: (k, v) => {
      data.set(k, v);
      return true;
    },
    remove: (k) => void data.delete(k),
  };
}

/** localStorage, tolerating browsers where it is disabled or full (private windows, quotas). */
export function browserStore(): KeyValueStore {
  const ls = (): Storage | null => {
    try {
      return typeof window === 'undefined' ? null : window.localStorage;
    } catch {
      return null;
    }
  };
  return {
    get: (k) => {
      try {
        return ls()?.getItem(k) ?? null;
      } catch {
        return null;
      }
    },
    set: (k, v) => {
      try {
        const s = ls();
        if (!s) return false;
        s.setItem(k, v);
        return true;
      } catch {
        return false;
      }
    },
    remove: (k) => {
      try {
        ls()?.removeItem(k);
      } catch {
        /* nothing to remove from a storage we cannot reach */
      }
    },
  };
}
