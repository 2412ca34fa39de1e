#include <weft/url/domain.hpp>

#include <weft/error.hpp>
#include <weft/url/idna.hpp>
#include <weft/url/resolve.hpp>

#include <boost/url/parse.hpp>

#include <libpsl.h>

namespace weft::url
{
namespace
{

// libpsl's compiled-in list; Debian builds ship one. Falls back to the system's DAFSA file.
psl_ctx_t const* context()
{
    static psl_ctx_t const* ctx = []
    {
        psl_ctx_t const* c = psl_builtin();
        return c ? c : psl_latest(nullptr);
    }();
    return ctx;
}

std::optional<std::string> prepare(std::string_view host)
{
    if (host.empty() || host.front() == '[')
        return std::nullopt;
    auto ascii = domain_to_ascii(host);
    if (!ascii || ascii->empty())
        return std::nullopt;
    std::string h = std::move(*ascii);
    while (!h.empty() && h.back() == '.')
        h.pop_back();
    if (h.empty() || h.find('\0') != std::string::npos)
        return std::nullopt;
    bool numeric = true;
    for (char c : h)
        if (!((c >= '0' && c <= '9') || c == '.'))
            numeric = false;
    if (numeric)
        return std::nullopt;
    return h;
}

} // namespace

std::optional<std::string> registered_domain(std::string_view host)
{
    auto h = prepare(host);
    if (!h || !context())
        return std::nullopt;
    char const* d = psl_registrable_domain(context(), h->c_str());
    if (!d)
        return std::nullopt;
    return std::string(d);
}

std::optional<std::string> public_suffix(std::string_view host)
{
    auto h = prepare(host);
    if (!h || !context())
        return std::nullopt;
    char const* d = psl_unregistrable_domain(context(), h->c_str());
    if (!d)
        return std::nullopt;
    return std::string(d);
}

bool is_public_suffix(std::string_view domain)
{
    auto d = prepare(domain);
    if (!d || !context())
        return false;
    return psl_is_public_suffix2(context(), d->c_str(), PSL_TYPE_ANY) != 0;
}

boost::system::result<std::string> host_of(std::string_view url)
{
    auto parsed = parse(url);
    if (!parsed)
        return parsed.error();
    auto v = boost::urls::parse_uri(*parsed);
    if (!v || !v->has_authority() || v->encoded_host().empty())
        return error::bad_url;
    return std::string(v->encoded_host());
}

} // namespace weft::url
