// weft::spider_log and weft::spider_stats: a spider's own logger and counters (Scrapy's
// self.logger and self.crawler.stats), reached as spider::log() and spider::stats().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace weft
{

namespace engine
{
struct stats;
}

enum class log_level
{
    debug,
    info,
    warning,
    error,
};

/// Reads "debug", "info", "warning" (or "warn"), "error", any case; false for anything else.
bool parse_log_level(std::string_view text, log_level& out) noexcept;
std::string_view to_string(log_level level) noexcept;

/// A spider's logger. Inside a crawl, lines go to stderr as "weft: [SPIDER] LEVEL: message",
/// those below the crawl's `log_level` setting (default info; `-q` makes it warning) are dropped,
/// and warnings and errors are counted in the stats ("log_warning", "log_error" under "custom").
/// Outside a crawl (a spider's unit test) lines at info and above go to stderr.
/// Thread safety: as the spider's callbacks (the engine's executor).
class spider_log
{
public:
    using writer = std::function<void(log_level, std::string_view)>;

    void debug(std::string_view message) const { write(log_level::debug, message); }
    void info(std::string_view message) const { write(log_level::info, message); }
    void warning(std::string_view message) const { write(log_level::warning, message); }
    void error(std::string_view message) const { write(log_level::error, message); }
    void write(log_level level, std::string_view message) const;

    /// For the engine: where lines go while the spider runs in a crawl (empty: stderr).
    void redirect(writer w) { writer_ = std::move(w); }

private:
    writer writer_;
};

/// A spider's counters, reported in the crawl's stats JSON under "custom" and in the summary
/// (merged across the workers of a shared crawl and across runs of a job directory). Keys are the
/// spider's own: inc("pages") counts a custom "pages", never the engine's counter.
/// Outside a crawl they count in the spider itself, so a unit test can read them back.
/// Thread safety: as the spider's callbacks (the engine's executor).
class spider_stats
{
public:
    void inc(std::string_view key, std::uint64_t n = 1);
    /// The current value (0 when never counted).
    std::uint64_t get(std::string_view key) const;

    /// For the engine: count into the crawl's stats from now on (nullptr: the spider's own again).
    void attach(engine::stats* crawl) noexcept { crawl_ = crawl; }

private:
    std::map<std::string, std::uint64_t, std::less<>>& counters();
    std::map<std::string, std::uint64_t, std::less<>> const& counters() const;

    engine::stats* crawl_ = nullptr;
    std::map<std::string, std::uint64_t, std::less<>> own_;
};

} // namespace weft
