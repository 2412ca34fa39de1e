// Private to fetch_chromium: cookies as DevTools writes them (Network.Cookie, Network.CookieParam).
#pragma once

#include <weft/chromium/page.hpp>

#include "cdp.hpp"

#include <vector>

namespace weft::chromium::detail
{

/// A Network.getCookies / Storage.getCookies "cookies" array as cookies.
std::vector<cookie> cookies_from_json(json const& list);
/// Cookies as the "cookies" array of Network.setCookies / Storage.setCookies.
json cookies_to_json(std::vector<cookie> const& cookies);

} // namespace weft::chromium::detail
