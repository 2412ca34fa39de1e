#include "support/prometheus_text.hpp"

#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>

namespace weft::test
{

namespace
{
std::regex const metric_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
// name="value" pairs, values with \\ \" \n escapes only.
std::regex const label_pairs(R"(([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*)");

bool is_number(std::string const& v)
{
    if (v == "NaN" || v == "+Inf" || v == "-Inf")
        return true;
    char* end = nullptr;
    std::strtod(v.c_str(), &end);
    return !v.empty() && end == v.c_str() + v.size();
}
} // namespace

exposition parse_exposition(std::string const& text)
{
    exposition out;
    std::set<std::string> helped;
    std::istringstream in(text);
    int n = 0;
    auto problem = [&](std::string const& what, std::string const& line)
    { out.problems.push_back("line " + std::to_string(n) + ": " + what + ": " + line); };
    if (!text.empty() && text.back() != '\n')
        out.problems.push_back("the text does not end with a line feed");
    for (std::string line; std::getline(in, line);)
    {
        ++n;
        if (line.starts_with("# HELP ") || line.starts_with("# TYPE "))
        {
            std::istringstream l(line.substr(7));
            std::string name, rest;
            l >> name >> rest;
            if (!std::regex_match(name, metric_name))
                problem("invalid metric name", line);
            if (line.starts_with("# HELP "))
            {
                if (!helped.insert(name).second)
                    problem("HELP twice", line);
                continue;
            }
            if (!helped.count(name))
                problem("TYPE before HELP", line);
            if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" && rest != "untyped")
                problem("unknown type", line);
            if (!out.types.emplace(name, rest).second)
                problem("TYPE twice", line);
            if (rest == "counter" && !name.ends_with("_total"))
                problem("a counter whose name does not end in _total", line);
            continue;
        }
        if (line.empty() || line.starts_with('#'))
            continue;
        auto const brace = line.find('{');
        auto const space = line.rfind(' ');
        if (space == std::string::npos)
        {
            problem("no value", line);
            continue;
        }
        auto const name = line.substr(0, std::min(brace, line.find(' ')));
        auto const key = line.substr(0, space);
        auto const value = line.substr(space + 1);
        if (!std::regex_match(name, metric_name))
            problem("invalid metric name", line);
        if (brace != std::string::npos)
        {
            auto const close = key.rfind('}');
            if (close != key.size() - 1 || !std::regex_match(key.substr(brace + 1, close - brace - 1), label_pairs))
                problem("invalid labels", line);
        }
        if (!out.types.count(name) || !helped.count(name))
            problem("a sample without HELP and TYPE before it", line);
        if (!is_number(value))
            problem("a value that is not a number", line);
        if (!out.samples.emplace(key, std::strtod(value.c_str(), nullptr)).second)
            problem("a sample twice", line);
    }
    return out;
}

} // namespace weft::test
