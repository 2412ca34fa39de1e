// The public selector API: parse (selector_parser.cpp) and match (selector_match.cpp).
#include <weft/html/selector.hpp>

#include <weft/html/element.hpp>

#include "selector_impl.hpp"

#include <functional>
#include <string>
#include <unordered_map>

namespace weft::html
{

selector_error::selector_error(selector_diagnostics diag)
    : boost::system::system_error(make_error_code(error::bad_selector), diag.message), diag_(std::move(diag))
{
}

selector_error::selector_error(selector_diagnostics diag, boost::system::error_code code)
    : boost::system::system_error(code, diag.message), diag_(std::move(diag))
{
}

boost::system::result<selector> selector::parse(std::string_view text, selector_diagnostics* diag)
{
    try
    {
        return selector(std::make_shared<detail::selector_list const>(detail::parse_selector_list(text)));
    }
    catch (detail::failure const& f)
    {
        if (diag)
        {
            diag->position = f.offset + 1;
            diag->expected = f.expected;
            diag->message = "invalid CSS selector '" + std::string(text) + "': ";
            // XPath fails early for reasons ("expected a selector") that would mislead.
            if (auto hint = detail::xpath_hint(text); !hint.empty())
                diag->message += hint;
            else
                diag->message += (f.what.empty() ? "expected " + f.expected : f.what) + " at position " +
                                 std::to_string(f.offset + 1);
        }
        return make_error_code(error::bad_selector);
    }
}

namespace
{

struct text_hash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Spiders pass selectors as strings (res.css("h1, h2"), e.attr("a[id]", "id")), once per page or
// per element: each thread keeps what it compiled, keyed by the text. Bounded: a spider that
// builds selectors from page content must not grow it without end.
constexpr std::size_t cache_cap = 512;
using compiled_cache =
    std::unordered_map<std::string, std::shared_ptr<detail::selector_list const>, text_hash, std::equal_to<>>;

} // namespace

selector::selector(std::string_view text)
{
    thread_local compiled_cache cache;
    if (auto it = cache.find(text); it != cache.end())
    {
        impl_ = it->second;
        return;
    }
    selector_diagnostics diag;
    auto r = parse(text, &diag);
    if (!r)
        throw selector_error(std::move(diag));
    impl_ = std::move(r->impl_);
    if (cache.size() >= cache_cap)
        cache.clear();
    cache.emplace(std::string(text), impl_);
}

bool selector::selects_strings() const noexcept
{
    return impl_->selects_strings();
}

std::string_view selector::text() const noexcept
{
    return impl_->text;
}

bool selector::matches(element const& e) const
{
    return detail::matches(e.owner(), *impl_, e.index(), detail::npos);
}

} // namespace weft::html
