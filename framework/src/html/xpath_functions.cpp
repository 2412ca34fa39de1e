// The XPath 1.0 core function library (§4), EXSLT's re:test() (parsel registers it), and
// XPath's conversions between numbers and strings.
#include "xpath_impl.hpp"

#include <weft/text/ascii.hpp>

#include <re2/re2.h>

#include <array>
#include <charconv>
#include <cmath>
#include <unordered_set>

namespace weft::html::detail
{
namespace
{

using kind = xpath_node::kind;

struct function_info
{
    std::string_view name;
    fn f;
    int min;
    int max;
};

constexpr int many = 1 << 20;

constexpr std::array<function_info, 28> functions{{
    {"last", fn::last, 0, 0},
    {"position", fn::position, 0, 0},
    {"count", fn::count, 1, 1},
    {"id", fn::id, 1, 1},
    {"local-name", fn::local_name, 0, 1},
    {"namespace-uri", fn::namespace_uri, 0, 1},
    {"name", fn::name, 0, 1},
    {"string", fn::string, 0, 1},
    {"concat", fn::concat, 2, many},
    {"starts-with", fn::starts_with, 2, 2},
    {"contains", fn::contains, 2, 2},
    {"substring-before", fn::substring_before, 2, 2},
    {"substring-after", fn::substring_after, 2, 2},
    {"substring", fn::substring, 2, 3},
    {"string-length", fn::string_length, 0, 1},
    {"normalize-space", fn::normalize_space, 0, 1},
    {"translate", fn::translate, 3, 3},
    {"boolean", fn::boolean, 1, 1},
    {"not", fn::not_, 1, 1},
    {"true", fn::true_, 0, 0},
    {"false", fn::false_, 0, 0},
    {"lang", fn::lang, 1, 1},
    {"number", fn::number, 0, 1},
    {"sum", fn::sum, 1, 1},
    {"floor", fn::floor, 1, 1},
    {"ceiling", fn::ceiling, 1, 1},
    {"round", fn::round, 1, 1},
    {"re:test", fn::re_test, 2, 3},
}};

bool xpath_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Splits UTF-8 into code points (as byte ranges); a stray byte counts as one character.
std::vector<std::string_view> characters(std::string_view s)
{
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < s.size();)
    {
        auto const c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        n = std::min(n, s.size() - i);
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

std::string normalize_space(std::string_view s)
{
    std::string out;
    bool pending = false;
    for (char c : s)
    {
        if (xpath_space(c))
        {
            pending = !out.empty();
            continue;
        }
        if (pending)
            out += ' ';
        pending = false;
        out += c;
    }
    return out;
}

std::string translate(std::string_view s, std::string_view from, std::string_view to)
{
    auto const f = characters(from);
    auto const t = characters(to);
    std::string out;
    for (auto ch : characters(s))
    {
        auto it = std::find(f.begin(), f.end(), ch); // the first occurrence wins
        if (it == f.end())
            out += ch;
        else if (auto i = static_cast<std::size_t>(it - f.begin()); i < t.size())
            out += t[i];
    }
    return out;
}

double xpath_round(double d) noexcept
{
    if (std::isnan(d) || std::isinf(d) || d == 0)
        return d;
    if (d < 0 && d >= -0.5)
        return -0.0;
    return std::floor(d + 0.5);
}

// substring(s, start, length) as §4.2 says: the characters at positions p with
// round(start) <= p < round(start) + round(length); NaN compares false, so selects nothing.
std::string substring(std::string_view s, double start, std::optional<double> length)
{
    double const from = xpath_round(start);
    double const to = length ? from + xpath_round(*length) : INFINITY;
    std::string out;
    double p = 1;
    for (auto ch : characters(s))
    {
        if (p >= from && p < to)
            out += ch;
        ++p;
    }
    return out;
}

class library
{
public:
    library(evaluator& ev, expr const& e, context const& c) : ev_(ev), e_(e), c_(c) {}

    value call()
    {
        switch (e_.func)
        {
        case fn::last:
            return value::of(static_cast<double>(c_.size));
        case fn::position:
            return value::of(static_cast<double>(c_.position));
        case fn::count:
            return value::of(static_cast<double>(nodes(0).size()));
        case fn::id:
            return id();
        case fn::local_name:
        case fn::name:
        {
            auto const n = optional_node();
            return value::of(n ? std::string(ev_.nodes().name(*n)) : std::string());
        }
        case fn::namespace_uri:
            optional_node();
            return value::of(std::string());
        case fn::string:
            return value::of(e_.args.empty() ? ev_.nodes().string_value(c_.node) : str(0));
        case fn::concat:
        {
            std::string out;
            for (std::size_t i = 0; i < e_.args.size(); ++i)
                out += str(i);
            return value::of(std::move(out));
        }
        case fn::starts_with:
            return value::of_bool(str(0).starts_with(str(1)));
        case fn::contains:
            return value::of_bool(str(0).find(str(1)) != std::string::npos);
        case fn::substring_before:
        case fn::substring_after:
            return before_after();
        case fn::substring:
        {
            std::string const s = str(0);
            double const start = num(1);
            std::optional<double> len;
            if (e_.args.size() == 3)
                len = num(2);
            return value::of(substring(s, start, len));
        }
        case fn::string_length:
            return value::of(static_cast<double>(characters(context_string()).size()));
        case fn::normalize_space:
            return value::of(normalize_space(context_string()));
        case fn::translate:
            return value::of(translate(str(0), str(1), str(2)));
        case fn::boolean:
            return value::of_bool(evaluator::to_boolean(arg(0)));
        case fn::not_:
            return value::of_bool(!evaluator::to_boolean(arg(0)));
        case fn::true_:
            return value::of_bool(true);
        case fn::false_:
            return value::of_bool(false);
        case fn::lang:
            return lang();
        case fn::number:
            return value::of(e_.args.empty() ? string_to_number(ev_.nodes().string_value(c_.node)) : num(0));
        case fn::sum:
        {
            double total = 0;
            for (auto const& n : nodes(0))
                total += string_to_number(ev_.nodes().string_value(n));
            return value::of(total);
        }
        case fn::floor:
            return value::of(std::floor(num(0)));
        case fn::ceiling:
            return value::of(std::ceil(num(0)));
        case fn::round:
            return value::of(xpath_round(num(0)));
        case fn::re_test:
            return re_test();
        }
        return {};
    }

private:
    value arg(std::size_t i) { return ev_.eval(*e_.args[i], c_); }
    std::string str(std::size_t i) { return ev_.to_string(arg(i)); }
    double num(std::size_t i) { return ev_.to_number(arg(i)); }
    node_list nodes(std::size_t i)
    {
        value v = arg(i);
        if (v.t != value::type::nodes)
            fail_at(e_.args[i]->pos, "this argument must be a node-set (a path, like //a or @href)");
        return std::move(v.nodes);
    }
    std::string context_string() { return e_.args.empty() ? ev_.nodes().string_value(c_.node) : str(0); }
    // The first node of the argument in document order, the context node without one.
    std::optional<xnode> optional_node()
    {
        if (e_.args.empty())
            return c_.node;
        auto ns = nodes(0);
        if (ns.empty())
            return std::nullopt;
        return ns.front();
    }

    value before_after()
    {
        std::string const s = str(0);
        std::string const t = str(1);
        auto const at = s.find(t);
        if (at == std::string::npos)
            return value::of(std::string());
        return value::of(e_.func == fn::substring_before ? s.substr(0, at) : s.substr(at + t.size()));
    }

    value id()
    {
        value a = arg(0);
        std::string all;
        if (a.t == value::type::nodes)
            for (auto const& n : a.nodes)
                all += ev_.nodes().string_value(n) + ' ';
        else
            all = ev_.to_string(a);
        std::unordered_set<std::string_view> wanted;
        for (std::size_t i = 0; i < all.size();)
        {
            while (i < all.size() && xpath_space(all[i]))
                ++i;
            std::size_t j = i;
            while (j < all.size() && !xpath_space(all[j]))
                ++j;
            if (j > i)
                wanted.insert(std::string_view(all).substr(i, j - i));
            i = j;
        }
        value out;
        auto const& d = ev_.nodes().doc();
        for (std::uint32_t i = 0; i < d.nodes.size() && !wanted.empty(); ++i)
            if (auto const* at = find_attribute(d.nodes[i].node, "id"); at && wanted.erase(at->value))
                out.nodes.push_back(element_node(i));
        return out;
    }

    value lang()
    {
        std::string const want = str(0);
        auto const& d = ev_.nodes().doc();
        std::optional<xnode> n = c_.node;
        if (n->kind != kind::element && n->kind != kind::document)
            n = ev_.nodes().parent(*n);
        for (; n && n->kind == kind::element; n = ev_.nodes().parent(*n))
        {
            GumboNode const* g = d.nodes[n->owner].node;
            GumboAttribute const* a = find_attribute(g, "xml:lang");
            if (!a)
                a = find_attribute(g, "lang");
            if (!a)
                continue;
            std::string_view const have = a->value;
            bool const match = text::iequals(have, want) || (have.size() > want.size() && have[want.size()] == '-' &&
                                                             text::iequals(have.substr(0, want.size()), want));
            return value::of_bool(match);
        }
        return value::of_bool(false);
    }

    value re_test()
    {
        std::string const s = str(0);
        std::string const pattern = str(1);
        std::string const flags = e_.args.size() == 3 ? str(2) : std::string();
        re2::RE2::Options options;
        options.set_log_errors(false);
        options.set_case_sensitive(flags.find('i') == std::string::npos);
        re2::RE2 const re(pattern, options);
        if (!re.ok())
            fail_at(e_.args[1]->pos, "re:test(): the pattern '" + pattern + "' does not compile: " + re.error());
        return value::of_bool(re2::RE2::PartialMatch(s, re));
    }

    evaluator& ev_;
    expr const& e_;
    context const& c_;
};

} // namespace

bool lookup_function(std::string_view name, fn& f, int& min_args, int& max_args) noexcept
{
    for (auto const& i : functions)
        if (i.name == name)
        {
            f = i.f;
            min_args = i.min;
            max_args = i.max;
            return true;
        }
    return false;
}

value call_function(evaluator& ev, expr const& e, context const& c)
{
    return library(ev, e, c).call();
}

double string_to_number(std::string_view s) noexcept
{
    // §4.4: optional whitespace, an optional minus, Number, optional whitespace; else NaN.
    while (!s.empty() && xpath_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && xpath_space(s.back()))
        s.remove_suffix(1);
    bool const negative = s.starts_with('-');
    if (negative)
        s.remove_prefix(1);
    std::size_t digits = 0;
    std::size_t dots = 0;
    for (char c : s)
    {
        if (c >= '0' && c <= '9')
            ++digits;
        else if (c == '.' && dots == 0)
            ++dots;
        else
            return NAN;
    }
    if (digits == 0)
        return NAN;
    double d = 0;
    std::string const padded = (s.starts_with('.') ? "0" : "") + std::string(s) + (s.ends_with('.') ? "0" : "");
    auto const r = std::from_chars(padded.data(), padded.data() + padded.size(), d, std::chars_format::fixed);
    if (r.ec != std::errc())
        d = r.ec == std::errc::result_out_of_range ? INFINITY : NAN;
    return negative ? -d : d;
}

std::string number_to_string(double d)
{
    if (std::isnan(d))
        return "NaN";
    if (std::isinf(d))
        return d > 0 ? "Infinity" : "-Infinity";
    if (d == 0)
        return "0"; // negative zero too
    // The shortest digits that read back as d, written without an exponent (§4.2).
    std::array<char, 64> buf{};
    auto const r = std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::scientific);
    std::string_view sci(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
    std::string out;
    if (sci.starts_with('-'))
    {
        out += '-';
        sci.remove_prefix(1);
    }
    auto const e = sci.find('e');
    int exponent = 0;
    std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exponent);
    std::string digits;
    for (char c : sci.substr(0, e))
        if (c != '.')
            digits += c;
    // value = 0.digits * 10^(exponent + 1)
    int const point = exponent + 1;
    if (point <= 0)
        out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    else if (static_cast<std::size_t>(point) >= digits.size())
        out += digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
    else
        out += digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
    return out;
}

} // namespace weft::html::detail
