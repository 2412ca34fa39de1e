// Private to the built-in downloader middlewares: their identity (the defaults table in
// defaults.cpp holds each one's name and priority) and the host of a request's URL.
#pragma once

#include <weft/middleware/middleware.hpp>
#include <weft/url/domain.hpp>

#include <string>
#include <string_view>

namespace weft::middleware::detail
{

/// The built-ins, in the order of the defaults table.
enum class builtin_id
{
    robots,
    user_agent,
    retry,
    redirect,
    cookies,
    http_cache,
    adaptive_render,
};

/// The name and priority the defaults table gives `id`.
std::string_view builtin_name(builtin_id id) noexcept;
int builtin_priority(builtin_id id) noexcept;

/// A built-in: its name() and priority() come from the defaults table, so they are written once.
class builtin_middleware : public downloader_middleware
{
public:
    explicit builtin_middleware(builtin_id id) noexcept : id_(id) {}
    std::string_view name() const noexcept final { return builtin_name(id_); }
    int priority() const noexcept final { return builtin_priority(id_); }

private:
    builtin_id id_;
};

/// The host of an absolute URL, or "" when it has none (then nothing matches it).
inline std::string host_or_empty(std::string_view url)
{
    auto h = url::host_of(url);
    return h ? *h : std::string();
}

} // namespace weft::middleware::detail
