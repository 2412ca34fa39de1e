#include <weft/sink/registry.hpp>

#include <weft/plugin/registry.hpp>

#include <algorithm>
#include <stdexcept>

namespace weft
{
namespace
{

// Keyed by lower-cased extension ("-" for stdout).
plugin::registry<sink_factory>& the_registry()
{
    static plugin::registry<sink_factory> r("sink");
    return r;
}

std::string lowered(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; });
    return out;
}

// The factory for `path`: the exact "-", else a registered URI scheme ("postgresql://") that
// starts it, else the longest registered extension that ends the file name (".tar.gz" over ".gz").
sink_factory find_factory(std::string const& path)
{
    if (path == "-")
        return the_registry().find("-");
    auto const lower = lowered(path);
    for (auto& [r, f] : the_registry().entries())
        if (r.name.ends_with("://") && lower.starts_with(r.name))
            return std::move(f);
    auto const slash = path.find_last_of('/');
    auto const name = lowered(slash == std::string::npos ? path : path.substr(slash + 1));
    sink_factory factory;
    std::size_t best = 0;
    for (auto& [r, f] : the_registry().entries())
        if (r.name != "-" && r.name.size() > best && name.size() > r.name.size() && name.ends_with(r.name))
        {
            best = r.name.size();
            factory = std::move(f);
        }
    return factory;
}

} // namespace

void register_sink(std::string extension, sink_factory factory)
{
    (void)the_registry().add(lowered(extension), std::move(factory)); // a refusal is listed (sink_entries)
}

std::vector<std::string> sink_extensions()
{
    return the_registry().names();
}

std::vector<plugin::registration> sink_entries()
{
    return the_registry().list();
}

std::unique_ptr<sink> make_sink_for_path(std::string path, executor ex, sink_options const& options)
{
    auto factory = find_factory(path);
    if (!factory)
    {
        std::string supported;
        for (auto const& ext : sink_extensions())
            supported += (supported.empty() ? "" : ", ") + (ext == "-" ? std::string("'-' (stdout)") : ext);
        throw std::invalid_argument("no sink for output '" + path +
                                    "': its extension or URI scheme is not supported; use one of " +
                                    (supported.empty() ? std::string("(no sink plugin is linked in)") : supported));
    }
    return factory(std::move(ex), std::move(path), options);
}

} // namespace weft
