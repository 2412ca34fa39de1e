#include <weft/sink/registry.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

namespace weft
{
namespace
{

struct registry
{
    std::mutex mutex;
    std::map<std::string, sink_factory> factories; // lower-cased extension -> factory
};

registry& the_registry()
{
    static registry r;
    return r;
}

std::string lowered(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; });
    return out;
}

} // namespace

void register_sink(std::string extension, sink_factory factory)
{
    auto& r = the_registry();
    std::lock_guard lock(r.mutex);
    r.factories[lowered(extension)] = std::move(factory);
}

std::vector<std::string> sink_extensions()
{
    auto& r = the_registry();
    std::lock_guard lock(r.mutex);
    std::vector<std::string> out;
    for (auto const& [ext, f] : r.factories)
        out.push_back(ext);
    return out;
}

std::unique_ptr<sink> make_sink_for_path(std::string path, executor ex, sink_options const& options)
{
    sink_factory factory;
    {
        auto& r = the_registry();
        std::lock_guard lock(r.mutex);
        if (path == "-")
        {
            if (auto it = r.factories.find("-"); it != r.factories.end())
                factory = it->second;
        }
        else
        {
            auto name =
                lowered(path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1));
            // The longest registered extension that ends the file name wins (".tar.gz" over ".gz").
            std::size_t best = 0;
            for (auto const& [ext, f] : r.factories)
                if (ext != "-" && ext.size() > best && name.size() > ext.size() && name.ends_with(ext))
                {
                    best = ext.size();
                    factory = f;
                }
        }
    }
    if (!factory)
    {
        std::string supported;
        for (auto const& ext : sink_extensions())
            supported += (supported.empty() ? "" : ", ") + (ext == "-" ? std::string("'-' (stdout)") : ext);
        throw std::invalid_argument("no sink for output '" + path + "': its extension is not supported; use one of " +
                                    (supported.empty() ? std::string("(no sink plugin is linked in)") : supported));
    }
    return factory(std::move(ex), std::move(path), options);
}

} // namespace weft
