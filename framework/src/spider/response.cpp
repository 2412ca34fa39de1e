#include <weft/spider/response.hpp>

#include <weft/html/encoding.hpp>
#include <weft/url/resolve.hpp>

#include <stdexcept>

namespace weft
{

struct response::state
{
    http::response res;
    weft::request req;
    // text() is a view of res.body (valid UTF-8 without a BOM) or of utf8 (decoded); doc parses
    // that text in place, so it is declared after both and destroyed before them.
    std::string utf8;
    std::string_view text;
    std::string_view encoding = "UTF-8";
    bool text_ready = false;
    html::parser parser = html::parser::automatic;
    std::optional<html::document> doc;
    std::optional<html::scan_result> scanned;
    // base_url(), found once: follow() needs it for every link, and finding <base> walks the page.
    std::optional<std::string> base;
};

response::response() : st_(std::make_shared<state>()) {}

response::response(http::response res, weft::request req) : st_(std::make_shared<state>())
{
    st_->res = std::move(res);
    st_->req = std::move(req);
}

std::string const& response::url() const
{
    return st_->res.final_url.empty() ? st_->req.url() : st_->res.final_url;
}
int response::status() const
{
    return st_->res.status;
}
http::headers const& response::headers() const
{
    return st_->res.headers;
}
std::string const& response::body() const
{
    return st_->res.body;
}
http::response const& response::http() const
{
    return st_->res;
}
http::response& response::http()
{
    // The caller may rewrite the body, and text() and the document may be views of its buffer:
    // move that buffer to utf8 (a move keeps a heap buffer where it is) and give the body a copy.
    if (st_->text_ready && st_->utf8.empty() && !st_->res.body.empty())
    {
        std::string copy = st_->res.body;
        st_->utf8 = std::move(st_->res.body);
        st_->res.body = std::move(copy);
    }
    st_->base.reset(); // the caller may change final_url
    return st_->res;
}
weft::request const& response::request() const
{
    return st_->req;
}
nlohmann::json& response::meta()
{
    return st_->req.meta();
}

nlohmann::json const& response::kwargs() const
{
    return st_->req.kwargs();
}

nlohmann::json const& response::kwarg(std::string const& key) const
{
    auto const& all = st_->req.kwargs();
    if (all.is_object())
        if (auto it = all.find(key); it != all.end())
            return *it;
    throw std::out_of_range("callback argument '" + key + "' was not given with the request for " + url() +
                            ": add .kwarg(\"" + key + "\", value) where the request is made");
}
std::string response::media_type() const
{
    return st_->res.media_type();
}

bool response::is_html() const
{
    auto mt = media_type();
    if (mt == "text/html" || mt == "application/xhtml+xml")
        return true;
    if (!mt.empty())
        return false;
    auto const& b = st_->res.body;
    auto head = std::string_view(b).substr(0, 512);
    auto pos = head.find_first_not_of(" \t\r\n");
    return pos != std::string_view::npos && head[pos] == '<';
}

std::string_view response::text() const
{
    if (!st_->text_ready)
    {
        // Decoded once: the document and the scanner read this text too.
        auto const& body = st_->res.body;
        auto enc = html::detect_encoding(body, st_->res.charset());
        st_->encoding = enc;
        std::string_view b(body);
        if (enc == "UTF-8" && b.starts_with("\xEF\xBB\xBF"))
            b.remove_prefix(3);
        if (enc == "UTF-8" && html::valid_utf8_prefix(b) == b.size())
            st_->text = b; // the body as it is: no copy
        else
        {
            if (auto r = html::to_utf8(body, enc))
                st_->utf8 = std::move(*r);
            else // cannot happen for a name detect_encoding gives; still valid UTF-8 for the parser
                st_->utf8 = html::to_utf8(body, "UTF-8").value();
            st_->text = st_->utf8;
        }
        st_->text_ready = true;
    }
    return st_->text;
}

nlohmann::json response::json() const
{
    return nlohmann::json::parse(text());
}

html::document const& response::document() const
{
    if (!st_->doc)
    {
        auto t = text(); // valid UTF-8 kept by this state, unchanged while doc lives
        st_->doc.emplace(html::document::borrow_valid_utf8(t, st_->encoding, st_->parser));
    }
    return *st_->doc;
}

html::scan_result const& response::scan() const
{
    if (!st_->scanned)
        st_->scanned.emplace(html::scan(text(), url()));
    return *st_->scanned;
}

std::vector<html::link> const& response::links() const
{
    return scan().links;
}

void response::set_parser(html::parser p)
{
    st_->parser = p;
}

void response::prepare(bool doc, bool lnk) const
{
    if (doc)
        (void)document();
    if (lnk)
        (void)scan();
}

std::string response::base_url() const
{
    if (!st_->base)
        st_->base = st_->doc ? html::effective_base(st_->doc->base_href(), url())
                             : html::effective_base(scan().base_href, url());
    return *st_->base;
}

weft::request response::follow(std::string_view href) const
{
    if (!st_->base)
        (void)base_url();
    weft::request r;
    if (auto abs = url::resolve(*st_->base, href))
        r.url(std::move(*abs));
    else
        r.url(std::string(href));
    r.referer(url());
    return r;
}

weft::request response::follow(std::optional<std::string_view> href) const
{
    if (!href)
    {
        weft::request r;
        r.referer(url());
        return r;
    }
    return follow(*href);
}

weft::request response::follow(html::element const& e) const
{
    auto tag = e.tag();
    auto v = (tag == "a" || tag == "area" || tag == "link") ? e.attr("href") : e.attr("src");
    if (!v)
        v = e.attr("href");
    return follow(v);
}

std::vector<weft::request> response::follow_all(std::string_view selector) const
{
    std::vector<weft::request> out;
    html::selector const parsed(selector);
    if (parsed.selects_strings())
    {
        // Scrapy's follow_all(css="a::attr(href)"): each string is an href.
        for (auto const& href : document().texts(parsed))
            out.push_back(follow(href));
        return out;
    }
    for (auto const& e : document().css(parsed))
        if (e.has_attr("href") || e.has_attr("src"))
            out.push_back(follow(e));
    return out;
}

} // namespace weft
