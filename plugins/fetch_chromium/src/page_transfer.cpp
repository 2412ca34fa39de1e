// What goes in and out of a page as files and credentials: PDF printing, file upload, downloads
// to a directory, and answers to HTTP authentication challenges.
#include <weft/chromium/page.hpp>

#include "page_impl.hpp"
#include "page_javascript.hpp"

#include <filesystem>
#include <stdexcept>

namespace weft::chromium
{

namespace detail
{

void page_impl::on_download_event(std::string const& method, json const& params)
{
    if (download_dir.empty())
        return;
    if (method == "Browser.downloadWillBegin")
    {
        // Every page of the browser hears of every download: this page's frames' only.
        auto const frame = params.value("frameId", std::string());
        if (frame != target_id && !contexts.contains(frame))
            return;
        download_state d;
        d.guid = params.value("guid", std::string());
        d.info.url = params.value("url", std::string());
        d.info.suggested_filename = params.value("suggestedFilename", std::string());
        // The file's name is Chromium's GUID ("allowAndName"), never the page's suggestion: no
        // path is built from page content. A GUID is hex digits and dashes; anything else is
        // refused rather than joined to a path.
        if (d.guid.empty() || d.guid.find_first_not_of("0123456789abcdefABCDEF-") != std::string::npos)
            return;
        d.info.path = (std::filesystem::path(download_dir) / d.guid).string(); // until Chromium says
        d.state = "inProgress";
        downloads.push_back(std::move(d));
        changed.notify();
    }
    else if (method == "Browser.downloadProgress")
    {
        auto const guid = params.value("guid", std::string());
        for (auto& d : downloads)
            if (d.guid == guid)
            {
                d.state = params.value("state", d.state);
                d.info.bytes = static_cast<std::uint64_t>(params.value("receivedBytes", 0.0));
                // Where Chromium put it, when it says: still only if named by the GUID.
                auto const file = params.value("filePath", std::string());
                if (!file.empty() && std::filesystem::path(file).filename() == d.guid)
                    d.info.path = file;
                changed.notify();
            }
    }
}

void page_impl::on_auth_required(json const& params, std::string const& session)
{
    auto const id = params.value("requestId", std::string());
    auto const challenge = params.value("authChallenge", json::object());
    json answer;
    if (auth.username.empty())
        answer = {{"response", "Default"}};
    else if (auth_answered.insert(id).second)
        answer = {{"response", "ProvideCredentials"}, {"username", auth.username}, {"password", auth.password}};
    else
    {
        // The same request challenged again: the credentials were wrong. Asking again would loop.
        answer = {{"response", "CancelAuth"}};
        bool const proxy = challenge.value("source", std::string()) == "Proxy";
        // The main document's: async_goto fails saying so (else it would return the 401 page as if
        // all were well). A subresource's just gets its 401.
        if (params.value("resourceType", std::string()) == "Document" &&
            params.value("frameId", std::string()) == target_id)
            auth_rejected = std::string(proxy ? "the proxy " : "") + challenge.value("origin", std::string("the server")) +
                            " rejected the credentials of user \"" + auth.username + "\" (HTTP " +
                            (proxy ? "407" : "401") + "); check them, page::async_authenticate";
    }
    if (auth_answered.size() > 10'000) // a long-lived page
        auth_answered.clear();
    json p = {{"requestId", id}, {"authChallengeResponse", std::move(answer)}};
    conn->post_call("Fetch.continueWithAuth", std::move(p), session);
}

namespace
{

task<std::string> do_pdf(std::shared_ptr<page_impl> p, pdf_options o)
{
    json params = {{"landscape", o.landscape},
                   {"printBackground", o.print_background},
                   {"scale", o.scale},
                   {"paperWidth", o.paper_width},
                   {"paperHeight", o.paper_height},
                   {"marginTop", o.margin_top},
                   {"marginBottom", o.margin_bottom},
                   {"marginLeft", o.margin_left},
                   {"marginRight", o.margin_right},
                   {"preferCSSPageSize", o.prefer_css_page_size}};
    if (!o.page_ranges.empty())
        params["pageRanges"] = o.page_ranges;
    // Printing a long page takes longer than a command usually may.
    auto const limit = std::max(p->command_timeout, milliseconds(60'000));
    json r;
    std::string refused;
    try
    {
        r = co_await call(p, "Page.printToPDF", std::move(params), limit);
    }
    catch (system_error const& e)
    {
        if (e.code() != error::protocol_error)
            throw;
        refused = e.what();
    }
    if (!refused.empty())
        fail(error::protocol_error, "pdf" +
                                        (o.page_ranges.empty() ? std::string()
                                                               : " of page ranges \"" + o.page_ranges + "\"") +
                                        ": " + refused);
    co_return decode_base64(r.value("data", std::string()));
}

task<void> do_upload(std::shared_ptr<page_impl> p, std::string css, std::vector<std::string> paths,
                     input_options opts)
{
    wait_for_selector_options w;
    w.state = selector_state::attached; // file inputs are often hidden behind a styled label
    w.timeout = opts.timeout;
    auto el = co_await do_wait_for_selector(p, std::move(css), w);
    co_await el.async_upload_files(std::move(paths));
}

// The page's browser context, "" for the browser's default one (which Browser.* commands name by
// leaving the id out: Target.getBrowserContexts lists only the others).
task<std::string> browser_context_of(std::shared_ptr<page_impl> p)
{
    json target = {{"targetId", p->target_id}};
    auto info = co_await p->conn->async_call("Target.getTargetInfo", std::move(target), "", p->command_timeout);
    auto const id = info["targetInfo"].value("browserContextId", std::string());
    auto made = co_await p->conn->async_call("Target.getBrowserContexts", json::object(), "", p->command_timeout);
    for (auto const& c : made.value("browserContextIds", json::array()))
        if (c.is_string() && c.get<std::string>() == id)
            co_return id;
    co_return std::string();
}

task<void> do_set_download_dir(std::shared_ptr<page_impl> p, std::string dir)
{
    std::error_code ec;
    auto const abs = std::filesystem::absolute(dir, ec);
    if (ec || !std::filesystem::is_directory(abs, ec))
        throw system_error(make_error_code(boost::system::errc::no_such_file_or_directory),
                           "set_download_dir: \"" + dir + "\" is not a directory (make it first)");
    json params = {{"behavior", "allowAndName"}, {"downloadPath", abs.string()}, {"eventsEnabled", true}};
    if (auto context = co_await browser_context_of(p); !context.empty())
        params["browserContextId"] = context;
    co_await p->conn->async_call("Browser.setDownloadBehavior", std::move(params), "", p->command_timeout);
    p->download_dir = abs.string();
}

task<download> do_wait_for_download(std::shared_ptr<page_impl> p, milliseconds timeout)
{
    if (p->download_dir.empty())
        throw std::logic_error("wait_for_download: call async_set_download_dir first (downloads are refused until "
                               "then)");
    auto const index = p->downloads_reported++; // concurrent waiters take one download each
    auto* raw = p.get();
    // named first: GCC 12 double-frees lambdas with owning captures in co_await (docs/ARCHITECTURE.md, trap 2)
    std::function<bool()> done = [raw, index]
    { return raw->downloads.size() > index && raw->downloads[index].state != "inProgress"; };
    co_await wait_state(p, std::move(done), clock::now() + timeout, "wait_for_download", timeout);
    auto const& d = p->downloads[index];
    if (d.state != "completed")
        fail(error::navigation_failed, "download of " + d.info.url + ": " + d.state);
    auto out = d.info;
    std::error_code ec;
    auto const size = std::filesystem::file_size(out.path, ec);
    if (ec)
        fail(error::navigation_failed, "download of " + out.url + ": completed, but " + out.path + " is missing (" +
                                           ec.message() + ")");
    out.bytes = size;
    co_return out;
}

task<void> do_authenticate(std::shared_ptr<page_impl> p, credentials c)
{
    p->auth = std::move(c);
    p->auth_answered.clear();
    p->auth_rejected.clear();
    co_await update_interception(p);
}

} // namespace

} // namespace detail

task<std::string> page::async_pdf(pdf_options opts)
{
    return detail::do_pdf(impl_, std::move(opts));
}

task<void> page::async_upload(std::string css, std::vector<std::string> paths, input_options opts)
{
    return detail::do_upload(impl_, std::move(css), std::move(paths), opts);
}

task<void> page::async_set_download_dir(std::string dir)
{
    return detail::do_set_download_dir(impl_, std::move(dir));
}

task<download> page::async_wait_for_download(std::chrono::milliseconds timeout)
{
    return detail::do_wait_for_download(impl_, timeout);
}

task<void> page::async_authenticate(credentials c)
{
    return detail::do_authenticate(impl_, std::move(c));
}

} // namespace weft::chromium
