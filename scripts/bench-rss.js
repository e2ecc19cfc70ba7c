// Preloaded into each benchmarked Node process (NODE_OPTIONS=--require): appends its peak RSS (KiB) on exit.
'use strict';
if (process.env.BENCH_RSS_FILE) {
  process.on('exit', () => {
    require('fs').appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
  });
}
