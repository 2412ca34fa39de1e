#include <weft/warc/http_exchange.hpp>
#include <weft/warc/reader.hpp>

#include <weft/url/canonicalize.hpp>

#include <boost/url/parse.hpp>

#include <fmt/format.h>

#include <charconv>

namespace weft::warc
{

using http::iequals;

namespace
{

constexpr std::string_view orig_prefix = "X-Archive-Orig-";

// Headers that describe the bytes on the wire, not the decoded body the record holds.
bool describes_wire(std::string_view name)
{
    return iequals(name, "Content-Encoding") || iequals(name, "Transfer-Encoding") || iequals(name, "Content-Length");
}

void add_line(std::string& out, std::string_view name, std::string_view value)
{
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

std::string request_block(http::request const& req, std::string_view user_agent)
{
    std::string target = "/";
    std::string host;
    if (auto u = boost::urls::parse_uri(req.url()))
    {
        target = std::string(u->encoded_target());
        if (target.empty() || target.front() != '/')
            target.insert(0, "/");
        host = std::string(u->encoded_host_and_port());
    }
    std::string out = req.method() + " " + target + " HTTP/1.1\r\n";
    if (!req.headers().contains("Host") && !host.empty())
        add_line(out, "Host", host);
    if (!req.headers().contains("User-Agent") && !user_agent.empty())
        add_line(out, "User-Agent", user_agent);
    for (auto const& [name, value] : req.headers())
        add_line(out, name, value);
    if (!req.body().empty() && !req.headers().contains("Content-Length"))
        add_line(out, "Content-Length", std::to_string(req.body().size()));
    out += "\r\n";
    out += req.body();
    return out;
}

std::string response_head(http::response const& res, std::size_t body_size)
{
    std::string out = "HTTP/";
    out += res.http_version == "1.0" ? "1.0" : "1.1";
    out += " " + std::to_string(res.status) + " " + res.reason + "\r\n";
    for (auto const& [name, value] : res.headers)
        add_line(out, describes_wire(name) ? std::string(orig_prefix) + name : name, value);
    add_line(out, "Content-Length", std::to_string(body_size));
    out += "\r\n";
    return out;
}

// "dns=0 connect=12 tls=0 first_byte=150 total=320" (microseconds); unknown or bad parts are left 0.
void read_timing(std::string_view text, http::timing& t)
{
    std::pair<std::string_view, std::chrono::microseconds*> const parts[] = {
        {"dns", &t.dns}, {"connect", &t.connect}, {"tls", &t.tls}, {"first_byte", &t.first_byte}, {"total", &t.total}};
    while (!text.empty())
    {
        auto const space = text.find(' ');
        auto const part = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
        auto const eq = part.find('=');
        if (eq == std::string_view::npos)
            continue;
        long long v = 0;
        auto const value = part.substr(eq + 1);
        if (std::from_chars(value.data(), value.data() + value.size(), v).ec != std::errc())
            continue;
        for (auto const& [name, field] : parts)
            if (part.substr(0, eq) == name)
                *field = std::chrono::microseconds(v);
    }
}

} // namespace

std::string replay_key(std::string_view method, std::string_view url, std::string_view body)
{
    auto canonical = weft::url::canonicalize(url);
    std::string key(method);
    key += ' ';
    key += canonical ? *canonical : std::string(url);
    if (!body.empty())
        key += " " + sha1_digest(body);
    return key;
}

std::pair<record, record> exchange_records(http::request const& req, http::response const& res, std::string_view body,
                                           std::string_view user_agent, std::chrono::system_clock::time_point when)
{
    auto const date = format_date(when);
    record rq;
    rq.block = request_block(req, user_agent);
    auto const request_id = make_record_id();
    rq.fields.add("WARC-Type", "request");
    rq.fields.add("WARC-Record-ID", request_id);
    rq.fields.add("WARC-Date", date);
    rq.fields.add("WARC-Target-URI", req.url());
    rq.fields.add("Content-Type", "application/http;msgtype=request");
    rq.fields.add("WARC-Block-Digest", sha1_digest(rq.block));

    record rs;
    rs.block = response_head(res, body.size());
    rs.block += body;
    rs.fields.add("WARC-Type", "response");
    rs.fields.add("WARC-Record-ID", make_record_id());
    rs.fields.add("WARC-Date", date);
    rs.fields.add("WARC-Target-URI", req.url());
    rs.fields.add("WARC-Concurrent-To", request_id);
    if (res.http_version == "2")
        rs.fields.add("WARC-Protocol", "h2");
    rs.fields.add("Content-Type", "application/http;msgtype=response");
    rs.fields.add("WARC-Block-Digest", sha1_digest(rs.block));
    rs.fields.add("WARC-Payload-Digest", sha1_digest(body));
    rs.fields.add("Weft-Payload", "decoded");
    if (!res.final_url.empty() && res.final_url != req.url())
        rs.fields.add("Weft-Final-URI", res.final_url);
    if (res.wire_bytes)
        rs.fields.add("Weft-Wire-Bytes", std::to_string(res.wire_bytes));
    // The transfer's timing, so a replayed response reports what the spider saw (elapsed_ms).
    auto const& t = res.timing;
    rs.fields.add("Weft-Timing", fmt::format("dns={} connect={} tls={} first_byte={} total={}", t.dns.count(),
                                             t.connect.count(), t.tls.count(), t.first_byte.count(), t.total.count()));
    return {std::move(rq), std::move(rs)};
}

record warcinfo_record(std::string_view filename, std::string fields)
{
    record r;
    r.block = std::move(fields);
    r.fields.add("WARC-Type", "warcinfo");
    r.fields.add("WARC-Record-ID", make_record_id());
    r.fields.add("WARC-Date", format_date(std::chrono::system_clock::now()));
    if (!filename.empty())
        r.fields.add("WARC-Filename", std::string(filename));
    r.fields.add("Content-Type", "application/warc-fields");
    r.fields.add("WARC-Block-Digest", sha1_digest(r.block));
    return r;
}

http::response response_from_record(record const& r)
{
    auto const fail = [&](std::string const& what)
    { throw format_error(r.offset, "response record at byte " + std::to_string(r.offset) + ": " + what); };
    std::string_view const block = r.block;
    auto head_end = block.find("\r\n\r\n");
    std::size_t sep = 4;
    if (head_end == std::string_view::npos)
    {
        head_end = block.find("\n\n");
        sep = 2;
    }
    if (head_end == std::string_view::npos)
        fail("no end of the HTTP header block");
    auto const head = block.substr(0, head_end);
    http::response res;
    auto line_end = head.find('\n');
    auto status_line = head.substr(0, line_end);
    if (status_line.ends_with('\r'))
        status_line.remove_suffix(1);
    // "HTTP/1.1 200 OK"
    if (!status_line.starts_with("HTTP/") || status_line.size() < 12 || status_line[8] != ' ')
        fail("no HTTP status line ('" + std::string(status_line.substr(0, 40)) + "')");
    res.http_version = std::string(status_line.substr(5, 3));
    if (r.field("WARC-Protocol") == "h2")
        res.http_version = "2";
    auto const code = status_line.substr(9, 3);
    auto const [end, err] = std::from_chars(code.data(), code.data() + code.size(), res.status);
    if (err != std::errc() || end != code.data() + code.size() || res.status < 100 || res.status > 999)
        fail("status '" + std::string(code) + "' is not a number");
    if (status_line.size() > 13)
        res.reason = std::string(status_line.substr(13));
    bool const rewritten = r.field("Weft-Payload") == "decoded";
    for (auto pos = line_end; pos != std::string_view::npos && pos < head.size();)
    {
        ++pos;
        auto const next = head.find('\n', pos);
        auto line = head.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
        pos = next;
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        auto const colon = line.find(':');
        if (line.empty() || colon == std::string_view::npos)
            continue; // lenient, as a browser is with a server's header block
        auto name = line.substr(0, colon);
        auto value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        if (rewritten && iequals(name, "Content-Length"))
            continue; // ours, of the decoded body
        if (rewritten && name.size() > orig_prefix.size() && iequals(name.substr(0, orig_prefix.size()), orig_prefix) &&
            describes_wire(name.substr(orig_prefix.size())))
            name.remove_prefix(orig_prefix.size());
        res.headers.add(std::string(name), std::string(value));
    }
    res.body = std::string(block.substr(head_end + sep));
    res.url = std::string(r.field("WARC-Target-URI"));
    auto const final_uri = r.field("Weft-Final-URI");
    res.final_url = final_uri.empty() ? res.url : std::string(final_uri);
    auto const wire = r.field("Weft-Wire-Bytes");
    std::from_chars(wire.data(), wire.data() + wire.size(), res.wire_bytes);
    read_timing(r.field("Weft-Timing"), res.timing);
    return res;
}

} // namespace weft::warc
