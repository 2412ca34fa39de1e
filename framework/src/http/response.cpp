#include <weft/http/response.hpp>

#include <weft/text/ascii.hpp>

namespace weft::http {
namespace {

std::string lower_trimmed(std::string_view s)
{
    return text::lower_copy(text::trim(s, text::is_c_space));
}

} // namespace

std::string response::media_type() const
{
    auto ct = headers.get("Content-Type").value_or("");
    return lower_trimmed(ct.substr(0, ct.find(';')));
}

std::string response::charset() const
{
    auto ct = lower_trimmed(headers.get("Content-Type").value_or(""));
    auto pos = ct.find("charset=");
    if (pos == std::string::npos)
        return {};
    std::string_view v = std::string_view(ct).substr(pos + 8);
    v = v.substr(0, v.find(';'));
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\''))
        v = v.substr(1, v.size() - 2);
    return std::string(v);
}

} // namespace weft::http
