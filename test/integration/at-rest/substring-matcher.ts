/** Finds which of many needles occur in a text in one pass (Aho–Corasick over UTF-16 code units). */

interface Node { next: Map<number, number>; fail: number; out: number[] }

/** A compiled set of needles; `find(text)` returns the indexes of the needles found in `text`. */
export class SubstringMatcher {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];

  constructor(readonly needles: readonly string[]) {
    needles.forEach((needle, i) => {
      if (needle.length === 0) return;
      let at = 0;
      for (let k = 0; k < needle.length; k += 1) {
        const c = needle.charCodeAt(k);
        let to = this.nodes[at]!.next.get(c);
        if (to === undefined) { to = this.nodes.length; this.nodes.push({ next: new Map(), fail: 0, out: [] }); this.nodes[at]!.next.set(c, to); }
        at = to;
      }
      this.nodes[at]!.out.push(i);
    });
    const queue: number[] = [];
    for (const to of this.nodes[0]!.next.values()) queue.push(to);
    for (let q = 0; q < queue.length; q += 1) {
      const at = queue[q]!;
      for (const [c, to] of this.nodes[at]!.next) {
        let f = this.nodes[at]!.fail;
        while (f !== 0 && !this.nodes[f]!.next.has(c)) f = this.nodes[f]!.fail;
        const target = this.nodes[f]!.next.get(c);
        this.nodes[to]!.fail = target !== undefined && target !== to ? target : 0;
        this.nodes[to]!.out.push(...this.nodes[this.nodes[to]!.fail]!.out);
        queue.push(to);
      }
    }
  }

  /** Indexes of the needles that occur in `text` (each once). */
  find(text: string): number[] {
    const found = new Set<number>();
    let at = 0;
    for (let k = 0; k < text.length; k += 1) {
      const c = text.charCodeAt(k);
      while (at !== 0 && !this.nodes[at]!.next.has(c)) at = this.nodes[at]!.fail;
      at = this.nodes[at]!.next.get(c) ?? 0;
      for (const i of this.nodes[at]!.out) found.add(i);
    }
    return [...found];
  }
}
