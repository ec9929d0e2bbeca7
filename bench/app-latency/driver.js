/**
 * How run.js and ab.js drive the page, so that none of the driver's own work lands inside a measured window.
 *
 * Every `page.evaluate` is a task on the page's main thread. The benchmarks used to send the one that waits for
 * a sample's result right after the key or the pointer move: it then ran between the event and its frame, and
 * counted in the sample (a hover measured 4.13 ms that way and 3.76 ms the way below, blocks of each alternated
 * on one page). So the waiting evaluate is sent first, and an empty round trip after it makes sure the page has
 * run it before the event is sent.
 */

/**
 * Arm the page for one sample (`arm(arg)` in the page) and start waiting for its result (`read()` in the page,
 * a promise); resolves once both have run in the page, to `{ result }`, the pending result (wrapped, so that
 * awaiting this does not wait for the sample).
 */
export async function expectSample(page, arm, arg, read) {
  await page.evaluate(arm, arg);
  const result = page.evaluate(read);
  await page.evaluate(() => 0);
  return { result };
}

/**
 * Press `key` and wait for the sample `expected` (from expectSample), releasing the key only then: a typist's
 * keyup comes tens of milliseconds after the keydown, not inside the keystroke's frame as `keyboard.press` sends it.
 */
export async function keystroke(page, key, expected) {
  await page.keyboard.down(key);
  const r = await expected.result;
  await page.keyboard.up(key);
  return r;
}

/**
 * Wait until the page has done what it defers past a keystroke's frame (the URL, head scores, the page
 * snapshot: background tasks queued from that frame, see runtime/web/after-paint.ts) and has painted their result,
 * then `pauseMs` more: the next key comes at a typing pace, not while the page is still busy with the last one.
 */
export async function settle(page, pauseMs) {
  await page.evaluate(
    () =>
      new Promise((done) =>
        requestAnimationFrame(() =>
          scheduler.postTask(() => requestAnimationFrame(() => setTimeout(done, 0)), {
            priority: 'background',
          }),
        ),
      ),
  );
  if (pauseMs > 0) await page.waitForTimeout(pauseMs);
}
