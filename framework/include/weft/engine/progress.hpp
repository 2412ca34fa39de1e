// weft::engine::progress: the progress line on stderr (step 9 of the data path).
#pragma once

#include <weft/engine/stats.hpp>

#include <cstddef>
#include <cstdio>
#include <string>

namespace weft::engine
{

/// A moment of the crawl as the progress line shows it.
struct progress_snapshot
{
    std::size_t queued = 0;
    std::size_t in_flight = 0;
};

/// Formats and prints the progress line: on a terminal, rewritten in place ("\r", cleared at the
/// end); otherwise one line each time. "12.3 s  pages 1200 (97.5/s)  items 1180  queued 40
/// in flight 16  errors 3"
class progress
{
public:
    explicit progress(std::FILE* out = stderr);
    bool is_tty() const noexcept { return tty_; }
    static std::string line(stats const& st, progress_snapshot const& snap);
    void print(stats const& st, progress_snapshot const& snap);
    /// Ends a live line (newline) so later output starts clean.
    void finish();

private:
    std::FILE* out_;
    bool tty_;
    bool live_ = false;
};

} // namespace weft::engine
