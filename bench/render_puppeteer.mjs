// The puppeteer-core half of bench/render.sh: the same work as weft_render_bench, the way a
// Puppeteer user writes it. Usage: node render_puppeteer.mjs BASE_URL PAGES CONCURRENCY DISTINCT
import { readFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const [base, pages = '200', concurrency = '4', distinct = '20'] = process.argv.slice(2);
const total = Number(pages), conc = Number(concurrency), n = Number(distinct);

const browser = await puppeteer.launch({
  executablePath: process.env.WEFT_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  pipe: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-default-apps', '--mute-audio',
         '--disable-dev-shm-usage'],
});
const tabs = await Promise.all(Array.from({length: conc}, () => browser.newPage()));

async function run(count, readyMs, bytes) {
  let next = 0;
  await Promise.all(tabs.map(async (page) => {
    while (next < count) {
      const url = `${base}/page_${next++ % n}.html`;
      const start = performance.now();
      await page.goto(url, {waitUntil: 'load', timeout: 30000});
      await page.waitForSelector('#ready', {timeout: 10000});
      readyMs.push(performance.now() - start);
      bytes.n += (await page.content()).length;
    }
  }));
}

const pct = (v, q) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
await run(conc, [], {n: 0}); // warm-up
const ready = [], bytes = {n: 0};
const t0 = performance.now();
// Node's peak RSS (our side of the protocol; Chromium's processes are not counted).
function peakRssMb() {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return line ? parseInt(line.slice(6), 10) / 1024 : 0;
}
await run(total, ready, bytes);
const secs = (performance.now() - t0) / 1000;
await browser.close();
console.log(JSON.stringify({tool: 'puppeteer-core', pages: total, concurrency: conc, seconds: secs,
                            pages_per_s: total / secs, ready_ms_p50: pct(ready, 0.5), ready_ms_p90: pct(ready, 0.9),
                            bytes: bytes.n, client_peak_rss_mb: peakRssMb()}));
