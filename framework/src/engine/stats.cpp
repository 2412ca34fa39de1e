#include <weft/engine/progress.hpp>
#include <weft/engine/stats.hpp>

#include <fmt/format.h>

#include <unistd.h>

namespace weft::engine
{

double stats::elapsed_s() const
{
    auto stop = end == std::chrono::steady_clock::time_point{} ? std::chrono::steady_clock::now() : end;
    return prior_elapsed_s + std::chrono::duration<double>(stop - start).count();
}

double stats::pages_per_second() const
{
    auto e = elapsed_s();
    return e > 0 ? static_cast<double>(pages) / e : 0.0;
}

nlohmann::json stats::to_json() const
{
    nlohmann::json status = nlohmann::json::object();
    for (auto const& [code, n] : by_status)
        status[std::to_string(code)] = n;
    nlohmann::json sub = nlohmann::json::object();
    for (auto const& [type, n] : subresources)
        sub[type] = {{"requested", n.requested}, {"blocked", n.blocked}};
    return {
        {"scheduled", scheduled},
        {"filtered",
         {{"duplicate", filtered_duplicate},
          {"offsite", filtered_offsite},
          {"depth", filtered_depth},
          {"rule", filtered_rule},
          {"robots", filtered_robots},
          {"bad_url", bad_urls}}},
        {"pages", pages},
        {"attempts", attempts},
        {"responses", responses},
        {"retries", retries},
        {"redirects", redirects},
        {"errors", errors},
        {"callback_errors", callback_errors},
        {"items", items},
        {"items_dropped", items_dropped},
        {"item_errors", item_errors},
        {"bytes", bytes},
        {"robots_fetches", robots_fetches},
        {"cache_hits", cache_hits},
        {"inflight_body_bytes_peak", inflight_body_bytes_peak},
        {"by_status", status},
        {"errors_by_kind", errors_by_kind},
        {"subresources", sub},
        {"custom", custom},
        {"hosts", hosts},
        {"elapsed_s", elapsed_s()},
        {"pages_per_second", pages_per_second()},
    };
}

void stats::merge_from(nlohmann::json const& j)
{
    auto add = [&](std::uint64_t& field, nlohmann::json const& obj, char const* key)
    {
        if (auto it = obj.find(key); it != obj.end() && it->is_number())
            field += it->get<std::uint64_t>();
    };
    add(scheduled, j, "scheduled");
    if (auto f = j.find("filtered"); f != j.end())
    {
        add(filtered_duplicate, *f, "duplicate");
        add(filtered_offsite, *f, "offsite");
        add(filtered_depth, *f, "depth");
        add(filtered_rule, *f, "rule");
        add(filtered_robots, *f, "robots");
        add(bad_urls, *f, "bad_url");
    }
    add(pages, j, "pages");
    add(attempts, j, "attempts");
    add(responses, j, "responses");
    add(retries, j, "retries");
    add(redirects, j, "redirects");
    add(errors, j, "errors");
    add(callback_errors, j, "callback_errors");
    add(items, j, "items");
    add(items_dropped, j, "items_dropped");
    add(item_errors, j, "item_errors");
    add(bytes, j, "bytes");
    add(robots_fetches, j, "robots_fetches");
    add(cache_hits, j, "cache_hits");
    if (auto s = j.find("by_status"); s != j.end())
        for (auto const& [k, v] : s->items())
            by_status[std::stoi(k)] += v.get<std::uint64_t>();
    if (auto s = j.find("errors_by_kind"); s != j.end())
        for (auto const& [k, v] : s->items())
            errors_by_kind[k] += v.get<std::uint64_t>();
    if (auto s = j.find("subresources"); s != j.end() && s->is_object())
        for (auto const& [k, v] : s->items())
            if (v.is_object())
            {
                add(subresources[k].requested, v, "requested");
                add(subresources[k].blocked, v, "blocked");
            }
    if (auto s = j.find("custom"); s != j.end() && s->is_object())
        for (auto const& [k, v] : s->items())
            if (v.is_number())
                custom[k] += v.get<std::uint64_t>();
    if (auto e = j.find("elapsed_s"); e != j.end() && e->is_number())
        prior_elapsed_s += e->get<double>();
}

void stats::add(std::string_view name, std::uint64_t n)
{
    static constexpr std::pair<std::string_view, std::uint64_t stats::*> named[] = {
        {"scheduled", &stats::scheduled},       {"filtered_duplicate", &stats::filtered_duplicate},
        {"filtered_offsite", &stats::filtered_offsite}, {"filtered_depth", &stats::filtered_depth},
        {"filtered_rule", &stats::filtered_rule}, {"filtered_robots", &stats::filtered_robots},
        {"bad_urls", &stats::bad_urls},         {"pages", &stats::pages},
        {"attempts", &stats::attempts},         {"responses", &stats::responses},
        {"retries", &stats::retries},           {"redirects", &stats::redirects},
        {"errors", &stats::errors},             {"callback_errors", &stats::callback_errors},
        {"items", &stats::items},               {"items_dropped", &stats::items_dropped},
        {"item_errors", &stats::item_errors},   {"bytes", &stats::bytes},               {"robots_fetches", &stats::robots_fetches},
        {"cache_hits", &stats::cache_hits},
    };
    for (auto const& [key, member] : named)
        if (key == name)
        {
            this->*member += n;
            return;
        }
    auto it = custom.find(name);
    if (it == custom.end())
        it = custom.emplace(std::string(name), 0).first;
    it->second += n;
}

std::string stats::summary() const
{
    std::string s = fmt::format(
        "pages {} ({:.1f}/s over {:.1f} s), responses {}, items {} (dropped {}), errors {}, retries {}, "
        "redirects {}, filtered {} (duplicate {}, offsite {}, robots {}, depth {}, rule {}, bad_url {}), "
        "{:.1f} MB",
        pages, pages_per_second(), elapsed_s(), responses, items, items_dropped, errors, retries, redirects,
        filtered_duplicate + filtered_offsite + filtered_robots + filtered_depth + filtered_rule + bad_urls,
        filtered_duplicate, filtered_offsite, filtered_robots, filtered_depth, filtered_rule, bad_urls,
        static_cast<double>(bytes) / 1e6);
    if (!by_status.empty())
    {
        s += "\n  status:";
        for (auto const& [code, n] : by_status)
            s += fmt::format(" {}={}", code, n);
    }
    if (item_errors || callback_errors)
        s += fmt::format("\n  item errors {}, callback errors {}", item_errors, callback_errors);
    if (!subresources.empty())
    {
        s += "\n  subresources:";
        for (auto const& [type, n] : subresources)
            s += n.blocked ? fmt::format(" {}={} ({} blocked)", type, n.requested, n.blocked)
                           : fmt::format(" {}={}", type, n.requested);
    }
    if (!custom.empty())
    {
        s += "\n  custom:";
        for (auto const& [name, n] : custom)
            s += fmt::format(" {}={}", name, n);
    }
    if (!errors_by_kind.empty())
    {
        s += "\n  errors:";
        for (auto const& [kind, n] : errors_by_kind)
            s += fmt::format(" {}={}", kind, n);
    }
    return s;
}

progress::progress(std::FILE* out) : out_(out), tty_(::isatty(::fileno(out)) != 0) {}

std::string progress::line(stats const& st, progress_snapshot const& snap)
{
    return fmt::format("{:.1f} s  pages {} ({:.1f}/s)  items {}  queued {}  in flight {}  errors {}", st.elapsed_s(),
                       st.pages, st.pages_per_second(), st.items, snap.queued, snap.in_flight, st.errors);
}

void progress::print(stats const& st, progress_snapshot const& snap)
{
    auto l = line(st, snap);
    if (tty_)
    {
        std::fprintf(out_, "\r\033[K%s", l.c_str());
        live_ = true;
    }
    else
        std::fprintf(out_, "weft: %s\n", l.c_str());
    std::fflush(out_);
}

void progress::finish()
{
    if (live_)
    {
        std::fputs("\r\033[K", out_);
        std::fflush(out_);
        live_ = false;
    }
}

} // namespace weft::engine
