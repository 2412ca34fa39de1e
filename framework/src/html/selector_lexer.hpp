// Private: the CSS Syntax tokenization rules the selector parser applies inline (identifiers,
// strings, escapes, comments), over the raw selector text.
#pragma once

#include "text/utf8.hpp"

#include "selector_impl.hpp"

#include <weft/text/ascii.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace weft::html::detail
{

// The cursor over a selector's text; the parser derives from it.
class selector_lexer
{
public:
    explicit selector_lexer(std::string_view s) : s_(s) {}

protected:
    static constexpr bool is_digit(char c) noexcept
    {
        return c >= '0' && c <= '9';
    }
    static constexpr bool is_name_start(char c) noexcept
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
    }
    static constexpr bool is_name_char(char c) noexcept
    {
        return is_name_start(c) || is_digit(c) || c == '-';
    }

    static void append_utf8(std::string& out, std::uint32_t cp)
    {
        weft::detail::append_utf8_or_replacement(out, cp);
    }

    std::string_view s_;
    std::size_t p_ = 0;
    std::size_t depth_ = 0;

    bool eof() const noexcept { return p_ >= s_.size(); }
    char peek(std::size_t ahead = 0) const noexcept { return p_ + ahead < s_.size() ? s_[p_ + ahead] : '\0'; }

    [[noreturn]] void fail(std::string expected) const { throw failure{p_, std::move(expected), {}}; }
    [[noreturn]] void fail_what(std::size_t at, std::string what) const { throw failure{at, {}, std::move(what)}; }

    // Skips whitespace and comments; true when there was whitespace (a comment alone is no
    // combinator: "p/**/.a" is "p.a").
    bool skip_ws()
    {
        bool ws = false;
        for (;;)
        {
            if (!eof() && text::is_html_space(s_[p_]))
            {
                ++p_;
                ws = true;
            }
            else if (!skip_comment())
                return ws;
        }
    }

    bool skip_comment()
    {
        if (peek() != '/' || peek(1) != '*' || p_ + 1 >= s_.size())
            return false;
        auto const end = s_.find("*/", p_ + 2);
        if (end == std::string_view::npos)
            fail("'*/'");
        p_ = end + 2;
        return true;
    }

    bool valid_escape(std::size_t at) const noexcept
    {
        return at < s_.size() && s_[at] == '\\' &&
               (at + 1 >= s_.size() || (s_[at + 1] != '\n' && s_[at + 1] != '\r' && s_[at + 1] != '\f'));
    }

    bool starts_ident(std::size_t at) const noexcept
    {
        if (at >= s_.size())
            return false;
        char const c = s_[at];
        if (c == '-')
        {
            if (at + 1 >= s_.size())
                return false;
            char const c2 = s_[at + 1];
            return c2 == '-' || is_name_start(c2) || valid_escape(at + 1);
        }
        return is_name_start(c) || valid_escape(at);
    }

    void consume_escape(std::string& out)
    {
        ++p_; // the backslash
        if (eof())
        {
            append_utf8(out, 0xFFFD);
            return;
        }
        if (text::is_hex_digit(s_[p_]))
        {
            std::uint32_t cp = 0;
            for (int i = 0; i < 6 && !eof() && text::is_hex_digit(s_[p_]); ++i, ++p_)
            {
                char const c = s_[p_];
                cp = cp * 16 + text::hex_value(c);
            }
            if (peek() == '\r' && peek(1) == '\n')
                p_ += 2;
            else if (!eof() && text::is_html_space(s_[p_]))
                ++p_;
            append_utf8(out, cp);
            return;
        }
        out += s_[p_++];
    }

    std::string ident(char const* expected = "an identifier")
    {
        if (!starts_ident(p_))
            fail(expected);
        std::string out;
        while (!eof())
        {
            char const c = s_[p_];
            if (is_name_char(c))
            {
                out += c;
                ++p_;
            }
            else if (valid_escape(p_))
                consume_escape(out);
            else
                break;
        }
        return out;
    }

    std::string string_token()
    {
        char const q = s_[p_++];
        std::string out;
        for (;;)
        {
            if (eof() || s_[p_] == '\n' || s_[p_] == '\r' || s_[p_] == '\f')
                fail(q == '"' ? "'\"'" : "\"'\"");
            char const c = s_[p_];
            if (c == q)
            {
                ++p_;
                return out;
            }
            if (c == '\\')
            {
                if (p_ + 1 >= s_.size())
                    ++p_;
                else if (s_[p_ + 1] == '\n' || s_[p_ + 1] == '\f')
                    p_ += 2;
                else if (s_[p_ + 1] == '\r')
                    p_ += (p_ + 2 < s_.size() && s_[p_ + 2] == '\n') ? 3 : 2;
                else
                    consume_escape(out);
                continue;
            }
            out += c;
            ++p_;
        }
    }

    void expect(char c)
    {
        if (peek() != c || eof())
            fail(std::string("'") + c + "'");
        ++p_;
    }

};

} // namespace weft::html::detail
