// cheerio on the same pages as bench/scanner_bench.cpp.
//
//   node bench/peers/cheerio_bench.mjs [dir=/usr/share/doc/python3.11/html] [rounds=3]
//
// cheerio 1.0.0-rc.12 from bench/node_modules (cd bench && npm install). Every .html/.htm file
// under dir is read into memory (sorted, as weft_scanner_bench does); each case runs `rounds`
// times over all pages and the median round is reported as pages per CPU-second and MB of input
// per CPU-second (process.cpuUsage user+system, not wall time; this includes V8's GC threads, so
// pin the process to one core). Decoding bytes to a string is part of the timed work.
//
// Cases:
//   parse  cheerio.load(html)                         (parse5 + domhandler tree)
//   links  cheerio.load + $('a[href]') attr('href') + new URL(href, page) + de-duplication
//
// Prints a human-readable table and one line per case for bench/html.sh:
//   RESULT <key> <pages/CPU-s> <MB/CPU-s> <median CPU-s per round> <checksum>
import * as cheerio from 'cheerio';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.argv[2] ?? '/usr/share/doc/python3.11/html';
const rounds = Math.max(1, parseInt(process.argv[3] ?? '3', 10) || 3);

const files = readdirSync(root, { recursive: true })
  .filter((f) => f.endsWith('.html') || f.endsWith('.htm'))
  .map((f) => join(root, f))
  .sort();
// The URL a crawl of the served directory sees (as bench/scanner_bench.cpp).
const pages = files.map((f) => ({ url: 'http://127.0.0.1:8000/' + relative(root, f), body: readFileSync(f) }));
if (pages.length === 0) {
  console.error(`no .html files under ${root}`);
  process.exit(1);
}
const bytes = pages.reduce((n, p) => n + p.body.length, 0);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`cheerio 1.0.0-rc.12: ${pages.length} pages, ${(bytes / 1e6).toFixed(1)} MB, ${rounds} rounds ` +
  '(median round, CPU time)');
console.log(`${'case'.padEnd(34)} ${'pages/CPU-s'.padStart(12)} ${'MB/CPU-s'.padStart(10)} ${'CPU-s'.padStart(10)}`);

const cases = [
  ['cheerio_parse', 'cheerio.load parse', (p) => {
    const $ = cheerio.load(p.body.toString('utf8'));
    return $.root().children().length;
  }],
  ['cheerio_links', "cheerio $('a[href]') + new URL", (p) => {
    const $ = cheerio.load(p.body.toString('utf8'));
    const out = new Set();
    $('a[href]').each((_, e) => {
      try {
        out.add(new URL($(e).attr('href').trim(), p.url).href);
      } catch {
        // an unresolvable reference is dropped, as weft does
      }
    });
    return out.size;
  }],
];

for (const [key, name, f] of cases) {
  const times = [];
  let sink = 0;
  for (let r = 0; r < rounds; ++r) {
    sink = 0;
    const t0 = cpu();
    for (const p of pages) sink += f(p);
    times.push(cpu() - t0);
  }
  const s = median(times);
  const pps = pages.length / s;
  const mbs = bytes / 1e6 / s;
  console.log(`${name.padEnd(34)} ${pps.toFixed(1).padStart(12)} ${mbs.toFixed(2).padStart(10)} ` +
    `${s.toFixed(3).padStart(10)}   (${sink})`);
  console.log(`RESULT ${key} ${pps.toFixed(3)} ${mbs.toFixed(4)} ${s.toFixed(5)} ${sink}`);
}
