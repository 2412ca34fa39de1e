// Hints for selectors that do not parse because they are XPath (Scrapy users paste
// `//a/@href` where CSS is expected): say so, and give the CSS for the common shapes.
#include "selector_impl.hpp"

#include <weft/text/ascii.hpp>

#include <optional>

namespace weft::html::detail
{
namespace
{

constexpr bool is_xpath_name_char(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || static_cast<unsigned char>(c) >= 0x80;
}

// What gives XPath away: a leading '/', './' or '(', an '@' outside quotes, 'text()' / 'node()'
// (but not parsel's '::text()' typo), or an axis ('descendant::', 'following-sibling::'...).
std::optional<std::string> xpath_tell(std::string_view s)
{
    std::size_t b = 0;
    while (b < s.size() && text::is_html_space(s[b]))
        ++b;
    s.remove_prefix(b);
    if (s.starts_with("//"))
        return "it starts with '//'";
    if (s.starts_with("/") && !s.starts_with("/*"))
        return "it starts with '/'";
    if (s.starts_with("./") || s.starts_with("../"))
        return "it starts with '" + std::string(s.substr(0, s.find('/') + 1)) + "'";
    if (s.starts_with("(/"))
        return "it starts with '(/'";
    char quote = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        char const c = s[i];
        if (quote)
        {
            quote = c == quote ? 0 : quote;
            continue;
        }
        if (c == '"' || c == '\'')
            quote = c;
        else if (c == '@')
            return "it has '@', XPath's attribute axis";
        else if ((s.substr(i, 6) == "text()" || s.substr(i, 6) == "node()") && (i < 2 || s.substr(i - 2, 2) != "::"))
            return "it has '" + std::string(s.substr(i, 6)) + "'";
    }
    for (std::string_view axis : {"descendant::", "descendant-or-self::", "child::", "parent::", "ancestor::",
                                  "following-sibling::", "preceding-sibling::", "self::"})
        if (s.find(axis) != std::string_view::npos)
            return "it has the axis '" + std::string(axis) + "'";
    return std::nullopt;
}

// Translates the XPath shapes Scrapy code uses most: steps `name` or `*` joined by '/' and '//',
// predicates [@a], [@a='v'], [contains(@a,'v')], [starts-with(@a,'v')], [n], and a last step
// `@name` or `text()`. nullopt for anything else.
class xpath_to_css
{
public:
    explicit xpath_to_css(std::string_view s) : s_(s) {}

    std::optional<std::string> run()
    {
        if (eat(".//"))
            ;
        else if (eat("./"))
            out_ = "> ";
        else if (!eat("//") && !eat("/"))
            return std::nullopt; // relative paths without './' are too ambiguous to guess at
        for (;;)
        {
            if (eat("@"))
            {
                auto name = name_token();
                if (!name || p_ != s_.size())
                    return std::nullopt;
                out_ += "::attr(" + *name + ")";
                return trimmed();
            }
            if (eat("text()"))
            {
                if (p_ != s_.size())
                    return std::nullopt;
                out_ += "::text";
                return trimmed();
            }
            if (!step())
                return std::nullopt;
            if (p_ == s_.size())
                return trimmed();
            bool const descendant = eat("//");
            if (!descendant && !eat("/"))
                return std::nullopt;
            // "a/@href" is a's own attribute, "div//text()" the text of div and its descendants.
            bool const last = s_.substr(p_, 1) == "@" || s_.substr(p_) == "text()";
            if (descendant)
                out_ += ' ';
            else if (!last)
                out_ += " > ";
        }
    }

private:
    std::string_view s_;
    std::size_t p_ = 0;
    std::string out_;

    bool eat(std::string_view w)
    {
        if (s_.substr(p_, w.size()) != w)
            return false;
        p_ += w.size();
        return true;
    }

    void skip_ws()
    {
        while (p_ < s_.size() && text::is_html_space(s_[p_]))
            ++p_;
    }

    std::optional<std::string> name_token()
    {
        std::size_t const b = p_;
        while (p_ < s_.size() && is_xpath_name_char(s_[p_]))
            ++p_;
        if (p_ == b)
            return std::nullopt;
        return std::string(s_.substr(b, p_ - b));
    }

    std::optional<std::string> quoted()
    {
        skip_ws();
        if (p_ >= s_.size() || (s_[p_] != '"' && s_[p_] != '\''))
            return std::nullopt;
        auto const end = s_.find(s_[p_], p_ + 1);
        if (end == std::string_view::npos || s_.substr(p_ + 1, end - p_ - 1).find('"') != std::string_view::npos)
            return std::nullopt;
        std::string v(s_.substr(p_ + 1, end - p_ - 1));
        p_ = end + 1;
        skip_ws();
        return v;
    }

    bool step()
    {
        std::string const name = eat("*") ? std::string("*") : name_token().value_or("");
        if (name.empty())
            return false;
        out_ += name;
        while (eat("["))
        {
            skip_ws();
            if (!predicate(name))
                return false;
            skip_ws();
            if (!eat("]"))
                return false;
        }
        return true;
    }

    bool predicate(std::string const& step_name)
    {
        if (p_ < s_.size() && s_[p_] >= '1' && s_[p_] <= '9')
        {
            auto n = name_token();
            if (!n || n->find_first_not_of("0123456789") != std::string::npos)
                return false;
            out_ += (step_name == "*" ? ":nth-child(" : ":nth-of-type(") + *n + ")";
            return true;
        }
        for (auto [fn, op] : {std::pair{"contains(", "*="}, std::pair{"starts-with(", "^="}})
            if (eat(fn))
            {
                skip_ws();
                auto attr = eat("@") ? name_token() : std::nullopt;
                skip_ws();
                if (!attr || !eat(","))
                    return false;
                auto v = quoted();
                if (!v || !eat(")"))
                    return false;
                out_ += "[" + *attr + op + "\"" + *v + "\"]";
                return true;
            }
        if (!eat("@"))
            return false;
        auto attr = name_token();
        if (!attr)
            return false;
        skip_ws();
        if (!eat("="))
        {
            out_ += "[" + *attr + "]";
            return true;
        }
        auto v = quoted();
        if (!v)
            return false;
        if (*attr == "id" && !v->empty() && v->find_first_of(" .#[]:\"'") == std::string::npos)
            out_ += "#" + *v;
        else
            out_ += "[" + *attr + "=\"" + *v + "\"]";
        return true;
    }

    std::string trimmed() const
    {
        std::string r = out_;
        // "*::text" and "*::attr(x)" read better without the star, as parsel treats them the same.
        if (r.starts_with("*::"))
            r.erase(0, 1);
        return r;
    }
};

} // namespace

std::string xpath_hint(std::string_view text)
{
    auto tell = xpath_tell(text);
    if (!tell)
        return {};
    std::string msg = "this looks like XPath (" + *tell +
                      "), and CSS selectors do not take XPath: use xpath()/xpath_texts() (weft select --xpath, the "
                                       "shell's xpath command) for XPath; ";
    std::string_view trimmed = text;
    while (!trimmed.empty() && text::is_html_space(trimmed.front()))
        trimmed.remove_prefix(1);
    while (!trimmed.empty() && text::is_html_space(trimmed.back()))
        trimmed.remove_suffix(1);
    if (auto css = xpath_to_css(trimmed).run())
        return msg + "in CSS: '" + *css + "'";
    return msg + "write it in CSS: '//a/@href' is 'a::attr(href)', '//p/text()' is 'p::text', "
                 "'//div[@class=\"x\"]//span' is 'div[class=\"x\"] span'";
}

} // namespace weft::html::detail
