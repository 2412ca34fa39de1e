#include "text/utf8.hpp"
#include <weft/engine/sitemap.hpp>

#include <weft/error.hpp>
#include <weft/text/ascii.hpp>

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace weft::engine::sitemap
{
namespace
{

constexpr std::size_t max_field = 8192; // the protocol caps URLs at 2,048 characters

void append_utf8(std::string& out, unsigned long cp)
{
    // Checked before narrowing: a reference past U+10FFFF must not wrap into a valid one.
    weft::detail::append_utf8_or_replacement(out, cp > 0x10FFFF ? 0xFFFD : static_cast<std::uint32_t>(cp));
}

// Appends character data with the predefined entities and character references decoded;
// an unknown or malformed reference is kept as written.
void append_text(std::string& out, std::string_view text)
{
    while (!text.empty())
    {
        auto amp = text.find('&');
        out.append(text.substr(0, amp));
        if (amp == std::string_view::npos)
            return;
        text.remove_prefix(amp);
        auto semi = text.find(';');
        auto name = semi == std::string_view::npos || semi > 32 ? std::string_view{} : text.substr(1, semi - 1);
        bool done = true;
        if (name == "amp")
            out += '&';
        else if (name == "lt")
            out += '<';
        else if (name == "gt")
            out += '>';
        else if (name == "quot")
            out += '"';
        else if (name == "apos")
            out += '\'';
        else if (name.size() > 1 && name[0] == '#')
        {
            bool hex = name[1] == 'x' || name[1] == 'X';
            auto digits = name.substr(hex ? 2 : 1);
            unsigned long cp = 0;
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
            if (ec == std::errc{} && end == digits.data() + digits.size() && !digits.empty())
                append_utf8(out, cp);
            else if (ec == std::errc::result_out_of_range)
                append_utf8(out, 0xFFFD);
            else
                done = false;
        }
        else
            done = false;
        if (done)
            text.remove_prefix(semi + 1);
        else
        {
            out += '&';
            text.remove_prefix(1);
        }
    }
}

enum class field
{
    none,
    loc,
    lastmod,
    priority,
    changefreq,
};

class xml_reader
{
public:
    xml_reader(std::string_view text, limits const& lim, document& doc) : text_(text), lim_(lim), doc_(doc) {}

    void run()
    {
        while (pos_ < text_.size())
        {
            auto lt = text_.find('<', pos_);
            if (capturing())
                capture(text_.substr(pos_, lt == std::string_view::npos ? std::string_view::npos : lt - pos_), true);
            if (lt == std::string_view::npos)
                return;
            pos_ = lt;
            auto rest = text_.substr(pos_);
            if (rest.starts_with("<!--"))
            {
                if (!skip_past("-->"))
                    return;
            }
            else if (rest.starts_with("<![CDATA["))
            {
                auto end = text_.find("]]>", pos_ + 9);
                if (end == std::string_view::npos)
                    return;
                if (capturing())
                    capture(text_.substr(pos_ + 9, end - pos_ - 9), false);
                pos_ = end + 3;
            }
            else if (rest.starts_with("<!"))
            {
                if (!skip_declaration())
                    return;
            }
            else if (rest.starts_with("<?"))
            {
                if (!skip_past("?>"))
                    return;
            }
            else if (rest.starts_with("</"))
            {
                auto gt = text_.find('>', pos_);
                if (gt == std::string_view::npos)
                    return;
                pos_ = gt + 1;
                if (!end_element())
                    return;
            }
            else if (!start_element())
                return;
        }
    }

private:
    bool capturing() const { return field_ != field::none; }

    void capture(std::string_view raw, bool decode)
    {
        if (overflow_ || raw.empty())
            return;
        if (decode)
            append_text(value_, raw);
        else
            value_.append(raw);
        if (value_.size() > max_field)
            overflow_ = true;
    }

    bool skip_past(std::string_view end)
    {
        auto e = text_.find(end, pos_ + 2);
        if (e == std::string_view::npos)
            return false;
        pos_ = e + end.size();
        return true;
    }

    // <!DOCTYPE ...> possibly with an internal subset [ ... ]: skipped, never interpreted.
    bool skip_declaration()
    {
        int brackets = 0;
        char quote = 0;
        for (auto i = pos_ + 2; i < text_.size(); ++i)
        {
            char c = text_[i];
            if (quote)
                quote = c == quote ? 0 : quote;
            else if (c == '"' || c == '\'')
                quote = c;
            else if (c == '[')
                ++brackets;
            else if (c == ']')
                brackets = std::max(0, brackets - 1);
            else if (c == '>' && brackets == 0)
            {
                pos_ = i + 1;
                return true;
            }
        }
        return false;
    }

    bool start_element()
    {
        auto i = pos_ + 1;
        auto name_end = i;
        while (name_end < text_.size() && !text::is_c_space(text_[name_end]) && text_[name_end] != '>' &&
               text_[name_end] != '/')
            ++name_end;
        auto name = text_.substr(i, name_end - i);
        if (auto colon = name.rfind(':'); colon != std::string_view::npos)
            name.remove_prefix(colon + 1);
        // Skip attributes, honouring quotes (a '>' may appear inside one).
        char quote = 0;
        auto j = name_end;
        for (; j < text_.size(); ++j)
        {
            char c = text_[j];
            if (quote)
                quote = c == quote ? 0 : quote;
            else if (c == '"' || c == '\'')
                quote = c;
            else if (c == '>')
                break;
        }
        if (j >= text_.size())
            return false;
        bool self_closing = j > name_end && text_[j - 1] == '/';
        pos_ = j + 1;

        ++depth_;
        if (depth_ == 1)
        {
            if (text::iequals(name, "urlset"))
                doc_.format = format::urlset;
            else if (text::iequals(name, "sitemapindex"))
                doc_.format = format::sitemapindex;
            else
                return false; // RSS, Atom, HTML...: not a sitemap we read
        }
        else if (depth_ == 2 && !in_entry_)
        {
            if ((doc_.format == format::urlset && text::iequals(name, "url")) ||
                (doc_.format == format::sitemapindex && text::iequals(name, "sitemap")))
            {
                in_entry_ = true;
                entry_ = url_entry{};
            }
        }
        else if (depth_ == 3 && in_entry_ && field_ == field::none)
        {
            if (text::iequals(name, "loc"))
                field_ = field::loc;
            else if (text::iequals(name, "lastmod"))
                field_ = field::lastmod;
            else if (doc_.format == format::urlset && text::iequals(name, "priority"))
                field_ = field::priority;
            else if (doc_.format == format::urlset && text::iequals(name, "changefreq"))
                field_ = field::changefreq;
            value_.clear();
            overflow_ = false;
        }
        if (self_closing)
            return end_element();
        return true;
    }

    // Closes the innermost element; end tag names are not checked (lenient).
    bool end_element()
    {
        if (depth_ == 0)
            return true;
        if (depth_ == 3 && field_ != field::none)
            finish_field();
        else if (depth_ == 2 && in_entry_)
        {
            in_entry_ = false;
            if (!entry_.loc.empty() && !add_entry())
                return false;
        }
        --depth_;
        return depth_ > 0; // the root closed: done
    }

    void finish_field()
    {
        auto v = overflow_ ? std::string_view{} : text::trim(value_, text::is_c_space);
        switch (field_)
        {
        case field::loc:
            entry_.loc = v;
            break;
        case field::lastmod:
            entry_.lastmod = v;
            break;
        case field::priority:
        {
            double p = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), p);
            if (ec == std::errc{} && end == v.data() + v.size() && p >= 0 && p <= 1)
                entry_.priority = p;
            break;
        }
        case field::changefreq:
            entry_.changefreq = text::lower_copy(v);
            break;
        case field::none:
            break;
        }
        field_ = field::none;
        value_.clear();
    }

    bool add_entry()
    {
        if (doc_.urls.size() + doc_.sitemaps.size() >= lim_.max_urls)
        {
            doc_.truncated = true;
            return false;
        }
        if (doc_.format == format::urlset)
            doc_.urls.push_back(std::move(entry_));
        else
            doc_.sitemaps.push_back(child_sitemap{std::move(entry_.loc), std::move(entry_.lastmod)});
        return true;
    }

    std::string_view text_;
    limits const& lim_;
    document& doc_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
    bool in_entry_ = false;
    url_entry entry_;
    field field_ = field::none;
    std::string value_;
    bool overflow_ = false;
};

void parse_text(std::string_view text, limits const& lim, document& doc)
{
    doc.format = format::text;
    while (!text.empty())
    {
        auto eol = text.find_first_of("\r\n");
        auto line = text::trim(text.substr(0, eol), text::is_c_space);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        if (line.size() > max_field || !(text::istarts_with(line, "http://") || text::istarts_with(line, "https://")))
            continue;
        if (doc.urls.size() >= lim.max_urls)
        {
            doc.truncated = true;
            return;
        }
        url_entry e;
        e.loc = line;
        doc.urls.push_back(std::move(e));
    }
}

} // namespace

boost::system::result<std::string> gunzip(std::string_view data, std::size_t max_bytes)
{
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return error_code(error::bad_content_encoding);
    std::string out;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(std::min<std::size_t>(data.size(), UINT32_MAX));
    std::size_t fed = zs.avail_in;
    error_code ec;
    char buf[65536];
    for (;;)
    {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        int rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
        if (out.size() > max_bytes)
        {
            ec = error::decompressed_too_large;
            break;
        }
        if (rc == Z_STREAM_END)
        {
            // Another gzip member may follow (concatenated files are valid gzip).
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b && inflateReset(&zs) == Z_OK)
                continue;
            break;
        }
        if (rc != Z_OK)
        {
            ec = error::bad_content_encoding;
            break;
        }
        if (zs.avail_in == 0 && fed < data.size())
        {
            auto more = std::min<std::size_t>(data.size() - fed, UINT32_MAX);
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));
            zs.avail_in = static_cast<uInt>(more);
            fed += more;
        }
        else if (zs.avail_in == 0 && zs.avail_out != 0)
        {
            ec = error::bad_content_encoding; // truncated stream
            break;
        }
    }
    inflateEnd(&zs);
    if (ec)
        return ec;
    return out;
}

boost::system::result<document> parse(std::string_view body, limits const& lim)
{
    document doc;
    std::string inflated;
    if (body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f && static_cast<unsigned char>(body[1]) == 0x8b)
    {
        auto r = gunzip(body, lim.max_bytes);
        if (!r)
            return r.error();
        inflated = std::move(*r);
        body = inflated;
        doc.gzipped = true;
    }
    else if (body.size() > lim.max_bytes)
        return error_code(error::body_too_large);

    if (body.starts_with("\xEF\xBB\xBF"))
        body.remove_prefix(3);
    auto first = body.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
    {
        doc.format = format::text;
        return doc;
    }
    if (body[first] == '<')
        xml_reader(body.substr(first), lim, doc).run();
    else
        parse_text(body, lim, doc);
    return doc;
}

} // namespace weft::engine::sitemap
