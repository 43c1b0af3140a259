/** Short-lived messages about the user's actions ("scaled catalog to 3", "spawn failed: …"). */

/** One message. */
export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

/** The visible notices, newest last; each leaves after a few seconds. */
export class Notices {
  list = $state<Notice[]>([]);
  #next = 1;

  push(kind: Notice['kind'], text: string, ttlMs = kind === 'error' ? 8000 : 4000): void {
    const id = this.#next++;
    this.list = [...this.list.slice(-3), { id, kind, text }];
    setTimeout(() => this.dismiss(id), ttlMs);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}
