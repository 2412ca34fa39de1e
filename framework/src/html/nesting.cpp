// The nesting limit applied before gumbo sees a page (see nesting.hpp).
#include "nesting.hpp"

#include <weft/text/ascii.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace weft::html::detail
{
namespace
{

bool is_alpha(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

template <std::size_t N>
bool one_of(std::string_view name, std::array<std::string_view, N> const& names) noexcept
{
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return text::iequals(name, n); });
}

constexpr std::array<std::string_view, 14> void_elements = {"area", "base",  "br",   "col",   "embed",
                                                            "hr",   "img",   "input", "link", "meta",
                                                            "source", "track", "wbr",  "keygen"};
// Their content is text up to their end tag; never flattened (closing one early would turn its
// text into markup).
constexpr std::array<std::string_view, 9> raw_text = {"script",  "style",    "textarea", "title",    "xmp",
                                                      "iframe",  "noembed",  "noframes", "plaintext"};
// Never flattened either: the tree builder treats them specially.
constexpr std::array<std::string_view, 6> structural = {"html", "head", "body", "frameset", "template", "table"};
// Start tags that close an open <p> (HTML §13.2.6.4.7, "close a p element").
constexpr std::array<std::string_view, 36> closes_p = {
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir",     "div",
    "dl",      "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main",   "menu",
    "nav",     "ol",      "p",       "search",  "section", "summary", "ul",     "h1",      "h2",
    "h3",      "h4",      "h5",      "h6",      "pre",     "listing", "form",   "table",   "hr"};

class limiter
{
public:
    limiter(std::string_view src, std::size_t max_depth) : s_(src), max_(max_depth) {}

    std::optional<std::string> run()
    {
        while (p_ < s_.size())
        {
            auto const lt = s_.find('<', p_);
            if (lt == std::string_view::npos)
                break;
            p_ = lt;
            tag();
        }
        if (!edited_)
            return std::nullopt;
        out_.append(s_.substr(copied_));
        return std::move(out_);
    }

private:
    struct open
    {
        std::string_view name;
        bool flattened;
    };

    std::string_view s_;
    std::size_t max_;
    std::size_t p_ = 0;
    std::size_t copied_ = 0;
    bool edited_ = false;
    std::string out_;
    std::vector<open> stack_;

    char at(std::size_t i) const noexcept { return i < s_.size() ? s_[i] : '\0'; }

    void copy_until(std::size_t pos)
    {
        out_.append(s_.substr(copied_, pos - copied_));
        copied_ = pos;
        edited_ = true;
    }

    void skip_past(std::string_view end)
    {
        auto const e = s_.find(end, p_);
        p_ = e == std::string_view::npos ? s_.size() : e + end.size();
    }

    void tag()
    {
        std::size_t const start = p_;
        // The tokenizer's states, as far as they decide where a tag starts (HTML §13.2.5).
        if (s_.substr(p_, 4) == "<!--")
            comment();
        else if (at(p_ + 1) == '!' || at(p_ + 1) == '?') // doctype, CDATA, bogus comment
            skip_past(">");
        else if (at(p_ + 1) == '/' && !is_alpha(at(p_ + 2))) // "</>" or a bogus comment
        {
            p_ += 2;
            skip_past(">");
        }
        else if (at(p_ + 1) == '/')
        {
            p_ += 2;
            mark const m{out_.size(), copied_};
            end_tag(start, m, name());
        }
        else if (is_alpha(at(p_ + 1)))
        {
            ++p_;
            start_tag(name());
        }
        else
            ++p_;
    }

    // "<!-->" and "<!--->" end at once; otherwise "-->" or "--!>" ends the comment.
    void comment()
    {
        p_ += 4;
        if (at(p_) == '>' || (at(p_) == '-' && at(p_ + 1) == '>'))
        {
            p_ += at(p_) == '>' ? 1 : 2;
            return;
        }
        auto const a = s_.find("-->", p_), b = s_.find("--!>", p_);
        auto const e = std::min(a, b);
        p_ = e == std::string_view::npos ? s_.size() : e + (e == a ? 3 : 4);
    }

    std::string_view name()
    {
        std::size_t const b = p_;
        while (p_ < s_.size() && !is_space(s_[p_]) && s_[p_] != '/' && s_[p_] != '>')
            replace_nul(p_++);
        return s_.substr(b, p_ - b);
    }

    // Inside a tag, the tokenizer turns every NUL into U+FFFD (tag and attribute names, unquoted
    // values, the start of a new attribute); gumbo drops some instead, so `<a\f\0href=x>` had an
    // href. Done here, the DOM agrees with the spec and with the scanner.
    void replace_nul(std::size_t i)
    {
        if (s_[i] != '\0')
            return;
        copy_until(i);
        out_ += "\xEF\xBF\xBD";
        copied_ = i + 1;
    }

    // Skips attributes to just past the tag's '>'; true when it ended with "/>".
    bool attributes()
    {
        bool slash = false;
        // In an attribute name or after one (HTML §13.2.5.33-34), where '=' starts its value.
        // Anywhere else (first thing in the tag, after '/' or after a quoted value) '=' is the
        // first character of a name: `<a/="x>` has an attribute `="x`, no quoted value.
        bool after_name = false;
        while (p_ < s_.size() && s_[p_] != '>')
        {
            replace_nul(p_);
            char const c = s_[p_++];
            slash = c == '/';
            if (c != '=' || !after_name)
            {
                if (slash)
                    after_name = false;
                else if (!is_space(c))
                    after_name = true;
                continue;
            }
            after_name = false;
            while (p_ < s_.size() && is_space(s_[p_]))
                ++p_;
            if (char const q = at(p_); q == '"' || q == '\'')
            {
                auto const e = s_.find(q, p_ + 1);
                p_ = e == std::string_view::npos ? s_.size() : e + 1;
            }
            else // unquoted: to whitespace or '>'; a quote or '=' in it is just a character
                while (p_ < s_.size() && !is_space(s_[p_]) && s_[p_] != '>')
                    replace_nul(p_++);
        }
        if (p_ < s_.size())
            ++p_;
        return slash;
    }

    // Pops up to and including the nearest open element named one of names, unless one of
    // stop_at comes first.
    template <std::size_t N, std::size_t M>
    void close_nearest(std::array<std::string_view, N> const& names, std::array<std::string_view, M> const& stop_at)
    {
        for (auto i = stack_.size(); i-- > 0;)
        {
            if (one_of(stack_[i].name, names))
            {
                stack_.resize(i);
                return;
            }
            if (one_of(stack_[i].name, stop_at))
                return;
        }
    }

    // The end tags the tree builder implies before this start tag, approximately: enough that
    // unclosed <p>, <li>, <option>, <tr>, <td> ... do not count as nesting.
    void implied_ends(std::string_view n)
    {
        using a1 = std::array<std::string_view, 1>;
        using a2 = std::array<std::string_view, 2>;
        using a3 = std::array<std::string_view, 3>;
        if (text::iequals(n, "li"))
            close_nearest(a1{"li"}, a2{"ul", "ol"});
        else if (text::iequals(n, "dt") || text::iequals(n, "dd"))
            close_nearest(a2{"dt", "dd"}, a1{"dl"});
        else if (text::iequals(n, "tr"))
            close_nearest(a1{"tr"}, a1{"table"});
        else if (text::iequals(n, "td") || text::iequals(n, "th"))
            close_nearest(a2{"td", "th"}, a2{"tr", "table"});
        else if (text::iequals(n, "tbody") || text::iequals(n, "thead") || text::iequals(n, "tfoot"))
            close_nearest(a3{"tbody", "thead", "tfoot"}, a1{"table"});
        else if ((text::iequals(n, "option") || text::iequals(n, "optgroup")) && !stack_.empty() &&
                 (text::iequals(stack_.back().name, "option") || text::iequals(n, "optgroup")))
            close_nearest(a2{"option", "optgroup"}, a1{"select"});
        if (one_of(n, closes_p) && !stack_.empty() && text::iequals(stack_.back().name, "p"))
            stack_.pop_back();
    }

    void start_tag(std::string_view n)
    {
        bool const self_closing = attributes();
        if (one_of(n, raw_text))
        {
            // Skip the text to its end tag, which the next round sees (and passes through).
            std::string close = "</" + std::string(n);
            for (auto e = p_;; ++e)
            {
                e = s_.find("</", e);
                if (e == std::string_view::npos)
                {
                    p_ = s_.size();
                    return;
                }
                if (text::iequals(s_.substr(e, close.size()), close) &&
                    (is_space(at(e + close.size())) || at(e + close.size()) == '/' || at(e + close.size()) == '>'))
                {
                    p_ = e;
                    return;
                }
            }
        }
        if (self_closing || one_of(n, void_elements))
            return;
        implied_ends(n);
        bool const flatten = stack_.size() >= max_ && !one_of(n, structural);
        if (flatten)
        {
            // Closed right away: what would be its content becomes its following siblings.
            copy_until(p_);
            out_ += "</";
            out_ += n;
            out_ += '>';
        }
        stack_.push_back({n, flatten});
    }

    // Where the output stood before a tag, to take the tag back out.
    struct mark
    {
        std::size_t out_size;
        std::size_t copied;
    };

    void end_tag(std::size_t start, mark m, std::string_view n)
    {
        attributes();
        for (auto i = stack_.size(); i-- > 0;)
            if (text::iequals(stack_[i].name, n))
            {
                bool const flattened = stack_[i].flattened;
                stack_.resize(i);
                if (flattened) // already closed where it started
                {
                    // NULs replaced inside this tag moved copied_ past its start: undo that.
                    out_.resize(m.out_size);
                    copied_ = m.copied;
                    copy_until(start);
                    copied_ = p_;
                }
                return;
            }
    }
};

} // namespace

std::optional<std::string> prepare_source(std::string_view html, std::size_t max_depth)
{
    return limiter(html, max_depth).run();
}

} // namespace weft::html::detail
