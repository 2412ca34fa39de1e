#include <weft/engine/proxy_rotation.hpp>

#include <algorithm>
#include <utility>

namespace weft::engine
{

namespace
{
constexpr auto first_back_off = std::chrono::seconds(1);
constexpr auto max_back_off = std::chrono::minutes(5);
} // namespace

proxy_rotation::proxy_rotation(std::vector<std::string> proxies)
{
    entries_.reserve(proxies.size());
    for (auto& p : proxies)
        entries_.push_back({std::move(p)});
}

std::string const& proxy_rotation::next(clock::time_point now)
{
    for (std::size_t tried = 0; tried < entries_.size(); ++tried)
    {
        auto& e = entries_[next_++ % entries_.size()];
        if (e.back_until <= now)
            return e.url;
    }
    auto soonest = std::min_element(entries_.begin(), entries_.end(),
                                    [](entry const& a, entry const& b) { return a.back_until < b.back_until; });
    return soonest->url;
}

proxy_rotation::clock::duration proxy_rotation::report(std::string const& proxy, bool unreachable,
                                                       clock::time_point now)
{
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](entry const& e) { return e.url == proxy; });
    if (it == entries_.end()) // a request's own meta "proxy": not ours to judge
        return {};
    if (!unreachable)
    {
        it->failures = 0;
        it->back_until = {};
        return {};
    }
    auto const shift = std::min(it->failures++, 20);
    auto const back_off =
        std::min<clock::duration>(std::chrono::duration_cast<clock::duration>(first_back_off) * (1LL << shift),
                                  std::chrono::duration_cast<clock::duration>(max_back_off));
    it->back_until = now + back_off;
    return back_off;
}

} // namespace weft::engine
