#include <weft/engine/stats.hpp>
#include <weft/spider/spider_tools.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace weft
{

bool parse_log_level(std::string_view text, log_level& out) noexcept
{
    std::string lower(text.size(), '\0');
    std::transform(text.begin(), text.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static constexpr std::pair<std::string_view, log_level> names[] = {
        {"debug", log_level::debug},     {"info", log_level::info},   {"warning", log_level::warning},
        {"warn", log_level::warning},    {"error", log_level::error},
    };
    for (auto const& [name, level] : names)
        if (lower == name)
        {
            out = level;
            return true;
        }
    return false;
}

std::string_view to_string(log_level level) noexcept
{
    switch (level)
    {
    case log_level::debug:
        return "DEBUG";
    case log_level::info:
        return "INFO";
    case log_level::warning:
        return "WARNING";
    case log_level::error:
        return "ERROR";
    }
    return "?";
}

void spider_log::write(log_level level, std::string_view message) const
{
    if (writer_)
    {
        writer_(level, message);
        return;
    }
    if (level >= log_level::info)
        std::fprintf(stderr, "weft: %s: %.*s\n", to_string(level).data(), static_cast<int>(message.size()),
                     message.data());
}

std::map<std::string, std::uint64_t, std::less<>>& spider_stats::counters()
{
    return crawl_ ? crawl_->custom : own_;
}

std::map<std::string, std::uint64_t, std::less<>> const& spider_stats::counters() const
{
    return crawl_ ? crawl_->custom : own_;
}

void spider_stats::inc(std::string_view key, std::uint64_t n)
{
    auto& c = counters();
    auto it = c.find(key);
    if (it == c.end())
        it = c.emplace(std::string(key), 0).first;
    it->second += n;
}

std::uint64_t spider_stats::get(std::string_view key) const
{
    auto const& c = counters();
    auto it = c.find(key);
    return it == c.end() ? 0 : it->second;
}

} // namespace weft
