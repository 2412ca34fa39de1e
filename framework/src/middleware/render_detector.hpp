// Private to the adaptive_render middleware: whether a page fetched over plain HTTP lacks what
// rendering it would add, and which URL patterns of a host were learned to need rendering.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace weft::middleware::detail
{

struct render_verdict
{
    bool render = false;
    std::string reason; // for the stats and the debug log: "no text without JavaScript", ...
};

/// Judges an HTML page as served. With `wait_for` (a CSS selector), the page needs rendering
/// exactly when it has no match. Without, it needs rendering when it looks built by script: a
/// known framework's mount point is empty (#root, #app, #__next, #__nuxt, #___gatsby, app-root,
/// [ng-app], [data-reactroot]), or the body has scripts and almost no text (under 64 characters),
/// or a <noscript> asks for JavaScript and the page has fewer than 3 links.
/// @throws html::selector_error when `wait_for` does not parse.
render_verdict judge_http_page(std::string_view body, std::string_view content_type, std::string_view wait_for);

/// The URL pattern pages of one template share: the host, the first folder of the path ('*'
/// when it holds a digit: an id, a date), the number of segments and the last one's extension;
/// the query is left out. "https://shop.test/p/123/reviews" -> "shop.test/p/3",
/// "https://docs.test/guide/intro.html?x=1" -> "docs.test/guide/2.html",
/// "https://a.test/about.html" -> "a.test//1.html", "http://a.test/" -> "a.test//0".
std::string render_pattern(std::string_view url);

/// What judging one page of a pattern showed.
enum class render_outcome
{
    served_enough,   ///< the HTTP response had what is needed
    render_helped,   ///< it lacked it, and the render had it
    render_no_help,  ///< it lacked it, and so did the render (a page that never has the selector)
};

/// What the crawl learned per URL pattern. Once at least 3 pages of a pattern were helped by
/// rendering and at least 9 in 10 were, its pages are rendered at once (the HTTP fetch skipped);
/// once at least 3 were not helped (and 9 in 10), its pages are kept as served without a render.
/// Either way 1 in 10 is still judged, so a site that changes is noticed. Bounded: past 10,000
/// patterns, new ones are not remembered (their pages are judged each time).
class render_memory
{
public:
    /// True when `pattern`'s next page should be rendered without trying HTTP first.
    bool render_directly(std::string const& pattern) { return settled(pattern, true); }
    /// True when `pattern`'s next page that seems to need a render should be kept as served.
    bool render_useless(std::string const& pattern) { return settled(pattern, false); }
    void learn(std::string const& pattern, render_outcome outcome);
    std::size_t size() const noexcept { return patterns_.size(); }

    static constexpr std::uint32_t min_pages = 3;
    static constexpr std::uint32_t check_every = 10;
    static constexpr std::size_t max_patterns = 10'000;

private:
    struct record
    {
        std::uint32_t helped = 0;
        std::uint32_t no_help = 0;
        std::uint32_t served = 0;
        std::uint32_t since_check = 0;
    };
    bool settled(std::string const& pattern, bool helped);
    std::unordered_map<std::string, record> patterns_;
};

} // namespace weft::middleware::detail
