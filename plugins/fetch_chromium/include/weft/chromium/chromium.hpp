// Everything of weft's headless Chromium plugin: browser, page, element_handle, page_pool,
// render_fetcher.
#pragma once

#include <weft/chromium/browser.hpp>
#include <weft/chromium/browser_context.hpp>
#include <weft/chromium/element_handle.hpp>
#include <weft/chromium/error.hpp>
#include <weft/chromium/page.hpp>
#include <weft/chromium/page_pool.hpp>
#include <weft/chromium/render_fetcher.hpp>
