#include <weft/engine/setting_keys.hpp>

#include <weft/engine/settings.hpp>
#include <weft/text/ascii.hpp>

#include <algorithm>

namespace weft::engine
{
namespace
{

plugin::registry<std::string>& declared()
{
    static plugin::registry<std::string> r("setting");
    return r;
}

} // namespace

void declare_setting(std::string key, std::string help)
{
    (void)declared().add(text::lower_copy(key), std::move(help)); // a refusal is listed
}

std::vector<plugin::registration> declared_settings()
{
    return declared().list();
}

bool is_known_setting(std::string_view key)
{
    auto const k = text::lower_copy(key);
    auto const built_in = builtin_setting_names();
    return std::binary_search(built_in.begin(), built_in.end(), k) || !declared().find(k).empty();
}

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
    {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
        {
            auto const above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string> unknown_setting_message(std::string_view key)
{
    if (is_known_setting(key))
        return std::nullopt;
    auto const k = text::lower_copy(key);
    auto names = builtin_setting_names();
    for (auto const& n : declared().names())
        names.push_back(n);
    std::string best;
    // Close enough to be a typo: a third of the key's length, at least 1, at most 3 edits.
    std::size_t best_distance = std::clamp<std::size_t>(k.size() / 3, 1, 3) + 1;
    for (auto const& n : names)
        if (auto const d = edit_distance(k, n); d < best_distance)
        {
            best_distance = d;
            best = n;
        }
    std::string msg = "unknown setting '" + std::string(key) + "'";
    if (!best.empty())
        msg += " (did you mean '" + best + "'?)";
    msg += "; the known ones are in README.md (\"Crawl defaults\"), a plugin's own once the plugin is loaded "
           "(--plugin); spider arguments go with -a KEY=VALUE";
    return msg;
}

} // namespace weft::engine
