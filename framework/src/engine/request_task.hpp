// One leased request from its download to its completion: steps 4 to 8 of the crawl data path
// (docs/ARCHITECTURE.md) for one lease, and the one place that decides how a lease ends:
// complete (done or failed), retry with a not-before time, or release (the crawl is stopping).
#pragma once

#include "engine/crawl.hpp"
#include "engine/downloader.hpp"
#include "engine/scraper.hpp"

namespace weft::engine::detail
{

task<void> run_request(crawl_run& run, downloader& dl, scraper& sc, state::lease l);

} // namespace weft::engine::detail
