/** Layout facts of the analyst UI's overview as Chromium renders it: what a screenshot check asserts beyond pixels. */
import type { Page } from 'playwright-core';

/** What a label's layout looks like: its text, box, font size, overflow and the box of its figure. */
export interface LabelBox { text: string; left: number; right: number; top: number; bottom: number; font: number; overflows: boolean; panel?: { left: number; right: number } }

/** The boxes of the elements matching `selector` (plain data: the geometry is judged in Node). */
function labelBoxes(page: Page, selector: string): Promise<LabelBox[]> {
  return page.$$eval(selector, (els) => els.filter((el) => el.getBoundingClientRect().width > 0).map((el) => {
    const b = el.getBoundingClientRect();
    const p = el.closest('.figure')?.getBoundingClientRect();
    return {
      text: (el.textContent ?? '').trim(), left: b.left, right: b.right, top: b.top, bottom: b.bottom,
      font: parseFloat(el.ownerDocument.defaultView.getComputedStyle(el).fontSize), overflows: el.scrollWidth > el.clientWidth + 1,
      ...(p === undefined ? {} : { panel: { left: p.left, right: p.right } }),
    };
  }));
}

/** Pairs of boxes that overlap (by more than a pixel). */
function overlapping(boxes: LabelBox[]): string[] {
  const out: string[] = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`${a.text} × ${b.text}`);
  }));
  return out;
}

/** The overview's layout facts a reader depends on: page width, figure boxes, small, clipped, stray and overlapping text. */
export async function readOverviewLayout(page: Page): Promise<{ scrollWidth: number; figures: Array<{ name: string } & LabelBox>; tooSmall: string[]; clipped: string[]; outside: string[]; overlapping: string[] }> {
  const texts = await page.$$eval('main *', (els) => els
    .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '') && el.getBoundingClientRect().width > 0)
    .map((el) => ({ text: (el.textContent ?? '').trim(), font: parseFloat(el.ownerDocument.defaultView.getComputedStyle(el).fontSize) })));
  const figures = await page.$$eval('.overview-grid > .figure', (els) => els.map((el) => {
    const b = el.getBoundingClientRect();
    return { name: el.getAttribute('data-figure') ?? '', text: '', left: b.left, right: b.right, top: b.top, bottom: b.bottom, font: 0, overflows: false };
  }));
  const labels = await labelBoxes(page, '.figure h2, .figure-link, .bl-label, .bl-detail, .legend li, .chart-x .tick, .chart-y .tick');
  return {
    scrollWidth: await page.$eval('html', (el) => el.scrollWidth),
    figures,
    tooSmall: texts.filter((t) => t.font < 11).map((t) => `${t.text} (${t.font}px)`),
    clipped: labels.filter((l) => l.overflows).map((l) => l.text),
    outside: labels.filter((l) => l.panel !== undefined && (l.left < l.panel.left - 1 || l.right > l.panel.right + 1)).map((l) => l.text),
    overlapping: [
      ...overlapping(await labelBoxes(page, '.fig-refusals .chart-x .tick')),
      ...overlapping(await labelBoxes(page, '.fig-refusals .chart-y .tick')),
      ...overlapping(await labelBoxes(page, '.fig-refusals .legend li, .fig-refusals .chart-unit')),
      ...overlapping(await labelBoxes(page, '.figure-head h2, .figure-head .figure-link, .figure-head > span')),
      ...overlapping(await labelBoxes(page, '.bl-label, .bl-count')),
    ],
  };
}
