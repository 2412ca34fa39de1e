// parsel's re()/re_first() on RE2 (kept private to libweft: no RE2 type in a public header).
#include <weft/html/strings.hpp>

#include <weft/error.hpp>

#include <re2/re2.h>

#include <memory>

namespace weft::html
{
namespace
{

// Python's \w \d \s (parsel compiles with re.UNICODE) are Unicode; RE2's are ASCII: rewrite
// them as Unicode classes (inside a [...] class too, except the negated ones, kept as RE2 has
// them), and Python's \Z as RE2's \z. \b stays ASCII (RE2 has no Unicode word boundary).
std::string python_classes(std::string_view p)
{
    constexpr std::string_view word = "\\p{L}\\p{N}_";
    constexpr std::string_view space = "\\s\\x{0B}\\x{1C}-\\x{1F}\\x{85}\\p{Z}";
    std::string out;
    bool in_class = false;
    for (std::size_t i = 0; i < p.size(); ++i)
    {
        char const c = p[i];
        if (c == '\\' && i + 1 < p.size())
        {
            char const n = p[++i];
            auto const set = [&](std::string_view inner, bool negated)
            {
                if (!in_class)
                    out += negated ? "[^" : "[";
                out += inner;
                if (!in_class)
                    out += ']';
            };
            if (n == 'w' || (n == 'W' && !in_class))
                set(word, n == 'W');
            else if (n == 's' || (n == 'S' && !in_class))
                set(space, n == 'S');
            else if (n == 'd')
                out += "\\p{Nd}";
            else if (n == 'D' && !in_class)
                out += "\\P{Nd}";
            else if (n == 'Z' && !in_class)
                out += "\\z";
            else
            {
                out += c;
                out += n;
            }
            continue;
        }
        if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':')
        {
            // [[:alpha:]]: copied through its ":]"
            auto const end = p.find(":]", i + 2);
            std::size_t const stop = end == std::string_view::npos ? p.size() : end + 2;
            out += p.substr(i, stop - i);
            i = stop - 1;
            continue;
        }
        out += c;
        if (!in_class && c == '[')
        {
            in_class = true;
            // "[^]...]" and "[]...]": a ']' first in a class is literal.
            if (i + 1 < p.size() && p[i + 1] == '^')
                out += p[++i];
            if (i + 1 < p.size() && p[i + 1] == ']')
                out += p[++i];
        }
        else if (in_class && c == ']')
            in_class = false;
    }
    return out;
}

std::unique_ptr<re2::RE2> compile(std::string_view pattern)
{
    re2::RE2::Options options; // UTF-8, leftmost-first like Python
    options.set_log_errors(false);
    std::string const translated = python_classes(pattern);
    auto re = std::make_unique<re2::RE2>(re2::StringPiece(translated.data(), translated.size()), options);
    if (!re->ok())
        throw system_error(make_error_code(error::bad_regex),
                           "invalid regular expression '" + std::string(pattern) + "': " + re->error() +
                               " (RE2 syntax: Python's re without backreferences and lookaround)");
    return re;
}

std::string to_string(re2::StringPiece p)
{
    return p.data() ? std::string(p.data(), p.size()) : std::string();
}

// Bytes of the UTF-8 sequence starting at s[i] (1 for a stray byte), to step past an empty match.
std::size_t sequence_length(std::string_view s, std::size_t i) noexcept
{
    auto const c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return std::min(n, s.size() - i);
}

void append_matches(re2::RE2 const& re, std::string_view text, strings& out, std::size_t max)
{
    int const groups = re.NumberOfCapturingGroups();
    std::vector<re2::StringPiece> m(static_cast<std::size_t>(groups) + 1);
    re2::StringPiece const input(text.data(), text.size());
    auto const& named = re.NamedCapturingGroups();
    if (auto it = named.find("extract"); it != named.end())
    {
        // parsel: search() once, the named group only.
        if (re.Match(input, 0, input.size(), re2::RE2::UNANCHORED, m.data(), groups + 1) &&
            m[static_cast<std::size_t>(it->second)].data())
            out.push_back(to_string(m[static_cast<std::size_t>(it->second)]));
        return;
    }
    // Python's findall: an empty match right after another empty match at the same place is
    // skipped by stepping one character on.
    std::size_t pos = 0;
    std::size_t last_empty = std::string_view::npos;
    while (pos <= text.size() && out.size() < max)
    {
        if (!re.Match(input, pos, input.size(), re2::RE2::UNANCHORED, m.data(), groups + 1))
            return;
        auto const begin = static_cast<std::size_t>(m[0].data() - text.data());
        auto const end = begin + m[0].size();
        if (begin == end && begin == last_empty)
        {
            if (pos >= text.size())
                return;
            pos += sequence_length(text, pos);
            continue;
        }
        if (groups == 0)
            out.push_back(to_string(m[0]));
        else
            for (int g = 1; g <= groups; ++g)
                out.push_back(to_string(m[static_cast<std::size_t>(g)]));
        last_empty = begin == end ? end : std::string_view::npos;
        pos = end;
    }
}

} // namespace

strings re(std::string_view text, std::string_view pattern)
{
    auto const compiled = compile(pattern);
    strings out;
    append_matches(*compiled, text, out, std::string::npos);
    return out;
}

std::optional<std::string> re_first(std::string_view text, std::string_view pattern)
{
    auto const compiled = compile(pattern);
    strings out;
    append_matches(*compiled, text, out, 1);
    if (out.empty())
        return std::nullopt;
    return std::move(out.front());
}

strings strings::re(std::string_view pattern) const
{
    auto const compiled = compile(pattern);
    strings out;
    for (auto const& s : *this)
        append_matches(*compiled, s, out, std::string::npos);
    return out;
}

std::optional<std::string> strings::re_first(std::string_view pattern) const
{
    auto const compiled = compile(pattern);
    strings out;
    for (auto const& s : *this)
    {
        append_matches(*compiled, s, out, 1);
        if (!out.empty())
            return std::move(out.front());
    }
    return std::nullopt;
}

} // namespace weft::html
