// weft::http::request: what to fetch (method, URL, headers, body) and per-request settings.
#pragma once

#include <weft/http/headers.hpp>

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <utility>
#include <vector>

namespace weft::http {

/// An HTTP request. A non-aggregate built in a named variable or with the fluent setters
/// (see docs/ARCHITECTURE.md, trap 2):
///
///     auto req = weft::http::request{"https://example.org/"}.header("Accept", "text/html").timeout(5s);
class request
{
public:
    request() = default;
    explicit request(std::string url, std::string method = "GET");
    request(request const& other);
    request(request&&) noexcept;
    request& operator=(request const& other);
    request& operator=(request&&) noexcept;
    ~request();

    std::string const& url() const { return url_; }
    std::string const& method() const { return method_; }
    http::headers const& headers() const { return headers_; }
    http::headers& headers() { return headers_; }
    std::string const& body() const { return body_; }
    int priority() const { return priority_; }
    /// Per-request total timeout; unset means the fetcher's.
    std::optional<std::chrono::milliseconds> timeout() const { return timeout_; }
    /// Per-request redirect limit; unset means the fetcher's.
    std::optional<int> max_redirects() const { return max_redirects_; }

    request& url(std::string u) { url_ = std::move(u); return *this; }
    request& method(std::string m) { method_ = std::move(m); return *this; }
    request& header(std::string name, std::string value) { headers_.set(std::move(name), std::move(value)); return *this; }
    request& body(std::string b) { body_ = std::move(b); return *this; }
    request& priority(int p) { priority_ = p; return *this; }
    request& timeout(std::chrono::milliseconds t) { timeout_ = t; return *this; }
    request& max_redirects(int n) { max_redirects_ = n; return *this; }

    /// Free-form values carried with the request to its response (Scrapy's `meta`).
    /// Include <nlohmann/json.hpp> to use it.
    nlohmann::json& meta();
    nlohmann::json const* meta_if() const { return meta_.get(); }

    /// Attaches a C++ object for the fetcher, one per type (e.g. a script to run on a rendered
    /// page: weft::chromium::on_page). Copies of the request share it. Unlike meta(), attachments
    /// are not persisted in a job directory.
    template <class T>
    request& attach(std::shared_ptr<T const> value)
    {
        std::erase_if(attachments_, [](auto const& a) { return a.first == typeid(T); });
        if (value)
            attachments_.emplace_back(typeid(T), std::move(value));
        return *this;
    }
    /// The object of type T attached, or null.
    template <class T>
    std::shared_ptr<T const> attachment() const
    {
        for (auto const& [type, value] : attachments_)
            if (type == typeid(T))
                return std::static_pointer_cast<T const>(value);
        return nullptr;
    }

private:
    std::string url_;
    std::string method_ = "GET";
    http::headers headers_;
    std::string body_;
    int priority_ = 0;
    std::optional<std::chrono::milliseconds> timeout_;
    std::optional<int> max_redirects_;
    std::unique_ptr<nlohmann::json> meta_; // allocated on first use
    std::vector<std::pair<std::type_index, std::shared_ptr<void const>>> attachments_;
};

} // namespace weft::http
