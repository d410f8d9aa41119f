// What a tab can hold, and what loading a model would bring it to: so that a lesson on a phone
// says, before loading, that its model may not fit — instead of the phone closing the tab. No
// browser tells a page how much memory it may take; a phone closes a tab that takes more than
// it gives, without warning (iOS Safari reloads it; Android's low-memory killer ends it). The
// budget here is a rule of thumb, stated in docs/performance.md#memory-per-lesson with the
// measured figures it is held against; the page only warns, and "Load anyway" always works.

const GiB = 2 ** 30;
/** The tab's private memory with the page open and no model loaded, rounded up (measured by
 * bench/memory.mjs; e2e/memory.test.mjs holds the page to it). */
export const PAGE_BYTES = 130e6;

/**
 * The memory this device will probably let one tab use, or null where nothing suggests a limit
 * (a desktop browser that does not say its memory). Chromium says the device's memory, rounded
 * and at most 8 GB (`navigator.deviceMemory`): a third of it, as a phone's system and the
 * browser's other processes take the rest. Safari on an iPhone or iPad says nothing; its tabs
 * are reported closed at about 1.5 GB on recent devices: 1.25 GiB.
 */
export function tabBudget(nav = navigator) {
  if (nav.deviceMemory > 0) return (nav.deviceMemory * GiB) / 3;
  const apple = /iPhone|iPad|iPod/.test(nav.userAgent) || (nav.platform === 'MacIntel' && nav.maxTouchPoints > 1);
  return apple ? 1.25 * GiB : null;
}

/** The device's memory in GB as the browser says it, or null. */
export function deviceMemory(nav = navigator) {
  return nav.deviceMemory > 0 ? nav.deviceMemory : null;
}

/**
 * Whether loading a model that takes `memory` (`{keptBytes, peakBytes}`) fits beside `held`
 * (the `{keptBytes, peakBytes}` of each model in memory) within `budget` (tabBudget()):
 * `{needBytes, tabBytes, budgetBytes, fits}`. The tab would hold the page, what each model in
 * memory keeps, and this model at its peak (its download and conversion pass through memory
 * that is then freed; models load one after another, so only one is at its peak at a time).
 */
export function memoryFit(memory, held, budget = tabBudget()) {
  const tabBytes = PAGE_BYTES + held.reduce((sum, other) => sum + other.keptBytes, 0) + memory.peakBytes;
  return { needBytes: memory.peakBytes, tabBytes, budgetBytes: budget, fits: budget === null || tabBytes <= budget };
}
